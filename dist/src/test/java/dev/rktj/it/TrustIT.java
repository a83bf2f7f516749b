package dev.rktj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.testing.Gpg;
import dev.rktj.kernel.testing.StoreSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trust and signatures through bin/rkt, secure by default: rkt's trust scenario (its
 * rkt_trust_test), the fingerprint review on a real terminal, tampered images, --signature and
 * the old --insecure-skip-verify.
 */
class TrustIT extends PodTest {

    @TempDir
    static Path keys;

    private static Gpg gpg;
    private static String key1;
    private static String key2;
    private static Path key1File;
    private static Path key2File;

    @BeforeAll
    static void makeKeys() throws Exception {
        gpg = Gpg.create(keys);
        key1 = gpg.generate("Key One <one@rkt-prefix.com>", "ed25519", "never", null);
        key2 = gpg.generate("Key Two <two@rkt-prefix.com>", "ed25519", "never", null);
        key1File = Files.write(keys.resolve("key1.gpg"), gpg.exportArmored(key1));
        key2File = Files.write(keys.resolve("key2.gpg"), gpg.exportArmored(key2));
    }

    @AfterAll
    static void stopAgent() throws Exception {
        gpg.close();
    }

    /** An image that says Hello, signed by {@code key} as rkt expects: {@code <image>.asc} beside it. */
    private Path signedImage(String name, String key) throws Exception {
        Path image = TestImages.aci(base, name, List.of("/bin/echo", "Hello"));
        Files.write(Path.of(image + ".asc"), gpg.sign(image, key, true, null));
        return image;
    }

    private static void assertOneLineRefusal(RktCli.Result r, String expected) {
        assertEquals(254, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(expected), r.err());
    }

    @Test
    void run_rktsTrustScenario_onlyTrustedPrefixesAndRootKeysRun() throws Exception {
        Path unsigned = TestImages.aci(base, "rkt-prefix.com/unsigned", List.of("/bin/echo", "Hello"));
        Path image1 = signedImage("rkt-prefix.com/my-app", key1);
        Path image2 = signedImage("rkt-prefix.com/other-app", key1);

        assertOneLineRefusal(rkt.run("run", unsigned.toString()), "run: error opening signature file: open " + unsigned + ".asc");
        assertOneLineRefusal(rkt.run("run", image1.toString()), "openpgp: signature made by unknown entity");
        rkt.run("trust", "--prefix", "rkt-prefix.com/my-app-wrong", "--skip-fingerprint-review", key1File.toString()).ok();
        assertOneLineRefusal(rkt.run("run", image1.toString()), "openpgp: signature made by unknown entity");
        rkt.run("trust", "--prefix", "rkt-prefix.com/my-app", "--skip-fingerprint-review", key2File.toString()).ok();
        assertOneLineRefusal(rkt.run("run", image1.toString()), "openpgp: signature made by unknown entity");
        assertFalse(Files.exists(rkt.dataDir.resolve("pods/run")) && Files.list(rkt.dataDir.resolve("pods/run")).findAny().isPresent(),
                "no pod ran");

        RktCli.Result reviewed = onTerminal("yes\n", "trust", "--prefix", "rkt-prefix.com/my-app", key1File.toString());
        assertEquals(0, reviewed.code(), reviewed.out());
        assertTrue(reviewed.out().contains("Are you sure you want to trust this key (yes/no)?"), reviewed.out());
        assertTrue(reviewed.out().contains("Trusting \"" + key1File + "\" for prefix \"rkt-prefix.com/my-app\" after fingerprint review."),
                reviewed.out());
        assertTrue(reviewed.out().contains("Added key for prefix \"rkt-prefix.com/my-app\" at \""
                + base.resolve("etc/trustedkeys/prefix.d/rkt-prefix.com/my-app/" + key1) + "\""), reviewed.out());

        RktCli.Result ran = rkt.run("run", image1.toString());
        assertEquals(0, ran.code(), ran.err());
        assertEquals("Hello\n", ran.out());
        assertEquals("run: image: signature verified:\n  Key One <one@rkt-prefix.com>\n", ran.err());
        assertOneLineRefusal(rkt.run("run", image2.toString()), "openpgp: signature made by unknown entity");

        RktCli.Result root = rkt.run("trust", "--root", "--skip-fingerprint-review", key1File.toString()).ok();
        assertTrue(root.out().contains("Added root key at \"" + base.resolve("etc/trustedkeys/root.d/" + key1) + "\""), root.out());
        assertEquals("Hello\n", rkt.run("run", image2.toString()).ok().out());

        List<String> events = new ArrayList<>();
        for (String row : rkt.run("history", "--no-legend").ok().out().split("\n")) {
            String[] cells = row.split("\t+");
            if (!cells[2].startsWith("Pod") && !cells[2].equals("AppExited")) {
                events.add(cells[2] + " " + (cells[2].equals("ImageFetched") ? cells[4].replaceAll(".*(signer=\\w+).*", "$1") : cells[3]));
            }
        }
        assertEquals(List.of("KeyTrusted " + key1, "KeyTrusted " + key2, "KeyTrusted " + key1, "ImageFetched signer=" + key1,
                "KeyTrusted " + key1, "ImageFetched signer=" + key1), events);
    }

    @Test
    void trust_answeredNoOnATerminal_trustsNothing() throws Exception {
        RktCli.Result r = onTerminal("no\n", "trust", "--root", key1File.toString());

        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("gpg key fingerprint is: "), r.out());
        assertTrue(r.out().contains("trust: not trusting \"" + key1File + "\""), r.out());
        assertEquals("", rkt.run("trust", "--list", "--no-legend").ok().out());
    }

    @Test
    void trust_withoutATerminal_refusedNamingSkipFingerprintReview() throws Exception {
        RktCli.Result r = rkt.run("trust", "--prefix", "rkt-prefix.com", key1File.toString());

        assertOneLineRefusal(r, "--skip-fingerprint-review");
        assertEquals("", rkt.run("history", "--no-legend").ok().out());
    }

    @Test
    void fetch_tamperedImageOrSignature_refusedStoreAndJournalUnchanged() throws Exception {
        rkt.run("trust", "--prefix", "rkt-prefix.com", "--skip-fingerprint-review", key1File.toString()).ok();
        rkt.run("fetch", signedImage("rkt-prefix.com/other-app", key1).toString()).ok();
        Path image = signedImage("rkt-prefix.com/my-app", key1);
        Path asc = Path.of(image + ".asc");
        // the image replaced by another of the same name: the old signature stays beside it
        assertEquals(image, TestImages.aci(base, "rkt-prefix.com/my-app", List.of("/bin/echo", "Tampered")));
        String history = rkt.run("history", "--format=json").ok().out();
        Map<String, String> stored = storedFiles();

        assertOneLineRefusal(rkt.runBothWays("fetch", image.toString()), "openpgp: invalid signature");

        Files.write(asc, gpg.sign(image, key1, false, null));
        byte[] binary = Files.readAllBytes(asc);
        binary[binary.length - 2] ^= 0x01;
        Files.write(asc, binary);
        assertOneLineRefusal(rkt.runBothWays("fetch", image.toString()), "openpgp: invalid signature");
        // and an untrusted signer, and an unsigned image
        assertOneLineRefusal(rkt.runBothWays("fetch", signedImage("rkt-prefix.org/app", key1).toString()),
                "openpgp: signature made by unknown entity");
        assertOneLineRefusal(rkt.runBothWays("fetch", TestImages.aci(base, "rkt-prefix.com/unsigned", List.of("/bin/true")).toString()),
                "error opening signature file");

        assertEquals(history, rkt.run("history", "--format=json").ok().out());
        assertEquals(stored, storedFiles());
    }

    /** Every file of the image store, locks aside, with a digest of its content. */
    private Map<String, String> storedFiles() {
        Map<String, String> files = StoreSnapshot.of(rkt.dataDir.resolve("cas"));
        files.entrySet().removeIf(e -> !e.getValue().startsWith("f ") || e.getKey().startsWith("locks"));
        assertFalse(files.isEmpty());
        return files;
    }

    @Test
    void fetch_signatureFlagAndInsecureAliases() throws Exception {
        rkt.run("trust", "--prefix", "rkt-prefix.com", "--skip-fingerprint-review", key1File.toString()).ok();
        Path image = signedImage("rkt-prefix.com/my-app", key1);
        Path elsewhere = Files.move(Path.of(image + ".asc"), base.resolve("detached.sig"));

        assertOneLineRefusal(rkt.runBothWays("fetch", image.toString()), "error opening signature file");
        assertOneLineRefusal(rkt.runBothWays("fetch", image.toString(), "--signature", base.resolve("none.sig").toString()),
                "error opening signature file");
        RktCli.Result fetched = rkt.runThin("fetch", image.toString(), "--signature", elsewhere.toString()).ok();
        assertTrue(fetched.out().matches("sha512-[0-9a-f]{32}\n"), fetched.out());
        assertTrue(fetched.err().contains("signature verified:"), fetched.err());
        assertEquals(fetched, rkt.runInProcess("fetch", image.toString(), "--signature", elsewhere.toString()));

        Path unsigned = TestImages.aci(base, "rkt-prefix.com/unsigned", List.of("/bin/echo", "Hello"));
        assertEquals("", rkt.runThin("--insecure-skip-verify", "fetch", unsigned.toString()).ok().err());
        assertEquals("Hello\n", rkt.run("run", "--insecure-skip-verify", unsigned.toString()).ok().out());
        assertEquals("Hello\n", rkt.run("run", "--insecure-options=image", unsigned.toString()).ok().out());
        String signers = rkt.run("history", "--no-legend").ok().out();
        assertTrue(signers.lines().anyMatch(l -> l.contains("ImageFetched") && l.contains("signer=" + key1)), signers);
    }

    @Test
    void fetch_throughTheAgentWithARelativeLocalConfig_readsTheClientsKeystore() throws Exception {
        rkt.run("trust", "--prefix", "rkt-prefix.com", "--skip-fingerprint-review", key1File.toString()).ok();
        signedImage("rkt-prefix.com/my-app", key1);
        rkt.startAgent();
        List<String> cmd = List.of(RktCli.BIN.toString(), "--dir=data", "--local-config=etc", "--system-config=lib",
                "fetch", "rkt-prefix.com_my-app.aci");

        RktCli.Result r = RktCli.exec(cmd, null, Map.of("RKTJ_THIN", "required"), base);

        assertEquals(0, r.code(), r.err());
        assertEquals("fetch: image: signature verified:\n  Key One <one@rkt-prefix.com>\n", r.err());
    }

    /** bin/rkt on a pseudo-terminal (script(1)), answering with {@code input}; stdout and stderr come back together. */
    private RktCli.Result onTerminal(String input, String... args) {
        StringBuilder command = new StringBuilder();
        for (String a : rkt.command(args)) {
            command.append('\'').append(a.replace("'", "'\\''")).append("' ");
        }
        RktCli.Result r = RktCli.exec(List.of("script", "--quiet", "--return", "--command", command.toString(), "/dev/null"), input);
        return new RktCli.Result(r.code(), r.out().replace("\r\n", "\n"), r.err());
    }
}
