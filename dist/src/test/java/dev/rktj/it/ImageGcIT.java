package dev.rktj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.testing.Gpg;
import dev.rktj.kernel.testing.StoreSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rkt image gc}, {@code rkt image verify}, the prepare lock and re-fetching a stored file, through bin/rkt. */
class ImageGcIT extends PodTest {

    @TempDir
    static Path keys;

    private static Gpg gpg;
    private static String key;
    private static Path keyFile;

    @BeforeAll
    static void makeKey() throws Exception {
        gpg = Gpg.create(keys);
        key = gpg.generate("Key One <one@rkt-prefix.com>", "ed25519", "never", null);
        keyFile = Files.write(keys.resolve("key.gpg"), gpg.exportArmored(key));
    }

    @AfterAll
    static void stopAgent() throws Exception {
        gpg.close();
    }

    private String fetch(Path aci) {
        return rkt.run("fetch", "--insecure-options=image", "--full", aci.toString()).ok().out().trim();
    }

    private Map<String, String> store() {
        Map<String, String> files = StoreSnapshot.of(rkt.dataDir.resolve("cas"));
        files.keySet().removeIf(k -> k.startsWith("locks"));
        return files;
    }

    @Test
    void imageGc_rktsOutput_keepsThePreparedPodsImage() throws Exception {
        String kept = fetch(TestImages.aci(base, "example.com/kept", List.of("/bin/true")));
        String old = fetch(TestImages.aci(base, "example.com/old", List.of("/bin/true")));
        rkt.run("image", "render", "--rootfs-only", "example.com/old", base.resolve("r").toString()).ok();
        String uuid = rkt.run("prepare", "--insecure-options=image", "example.com/kept").ok().out().trim();
        String tree = Files.readString(rkt.dataDir.resolve("cas/tree").resolve(treeOf(old)).resolve("image")).strip();
        assertEquals(old, tree);

        RktCli.Result bad = rkt.run("image", "gc", "--grace-period=soon");
        assertEquals(254, bad.code());
        assertEquals(1, bad.err().lines().count(), bad.err());

        RktCli.Result gc = rkt.run("image", "gc", "--grace-period=0s").ok();

        assertEquals("successfully removed aci for image: \"" + old + "\"\n", gc.out());
        assertEquals("gc: 1 image(s) successfully removed\n", gc.err(), "the old image's tree goes with it");
        String list = rkt.run("image", "list", "--full", "--no-legend", "--fields=id").ok().out();
        assertEquals(kept + "\n", list);
        assertTrue(rkt.run("history", "--no-legend").ok().out().contains("ImageRemoved"));

        Path leftover = Files.createDirectories(rkt.dataDir.resolve("cas/tree/tmp-42/rootfs"));
        gc = rkt.run("image", "gc").ok();
        assertEquals("gc: removed treestore \"tmp-42\"\n", gc.err());
        assertFalse(Files.exists(leftover));
        assertEquals(0, rkt.run("run-prepared", uuid).code());
    }

    private String treeOf(String imageId) throws Exception {
        try (Stream<Path> trees = Files.list(rkt.dataDir.resolve("cas/tree"))) {
            for (Path t : (Iterable<Path>) trees::iterator) {
                if (Files.exists(t.resolve("image")) && Files.readString(t.resolve("image")).strip().equals(imageId)) {
                    return t.getFileName().toString();
                }
            }
        }
        throw new AssertionError("no tree for " + imageId);
    }

    @Test
    void imageVerify_damagedTree_rebuiltTableAndExitCodes() throws Exception {
        String id = fetch(TestImages.aci(base, "example.com/v", List.of("/bin/true")));
        String other = fetch(TestImages.aci(base, "example.com/w", List.of("/bin/echo")));
        rkt.run("prepare", "--insecure-options=image", "example.com/v").ok();
        Path echo = rkt.dataDir.resolve("cas/tree").resolve(treeOf(id)).resolve("rootfs/bin/true");
        Files.write(echo, new byte[] {1, 2, 3});

        RktCli.Result v = rkt.run("image", "verify", "--full").ok();

        assertEquals(List.of("ID NAME STATUS", id + " example.com/v:1.0 damaged, rebuilt", other + " example.com/w:1.0 not rendered"),
                v.out().lines().map(l -> l.replaceAll("\t+", " ")).toList());
        assertNotEquals(3, Files.size(echo));
        assertEquals("ok", rkt.run("image", "verify", "--no-legend", "example.com/v").ok().out().split("\t+")[2].strip());
        RktCli.Result unknown = rkt.run("image", "verify", "example.com/nope");
        assertEquals(254, unknown.code());
        assertEquals(1, unknown.err().lines().count(), unknown.err());
    }

    @Test
    void imageGc_concurrentWithPrepares_neverRemovesAPreparedPodsImage() throws Exception {
        Path img = TestImages.aci(base, "example.com/busy", List.of("/bin/true"));
        for (int round = 0; round < 3; round++) {
            fetch(img);
            List<Process> prepares = new ArrayList<>();
            List<Path> outs = new ArrayList<>();
            List<Process> gcs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path out = base.resolve("prepare-" + round + "-" + i);
                outs.add(out);
                prepares.add(rkt.start(out, "prepare", "--insecure-options=image", "--pull-policy=never", "example.com/busy"));
                gcs.add(rkt.start(base.resolve("gc-" + round + "-" + i), "image", "gc", "--grace-period=0"));
            }
            for (Process p : prepares) {
                assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            }
            for (Process p : gcs) {
                assertTrue(p.waitFor(120, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue());
            }
            String images = rkt.run("image", "list", "--no-legend", "--fields=name").ok().out();
            for (int i = 0; i < prepares.size(); i++) {
                if (prepares.get(i).exitValue() == 0) {
                    assertTrue(images.contains("example.com/busy"), "a pod was prepared but its image is gone: " + images);
                    String uuid = Files.readString(outs.get(i)).strip();
                    assertEquals(0, rkt.run("run-prepared", uuid).code(), uuid);
                }
            }
            rkt.run("gc", "--grace-period=0").ok();
        }
    }

    @Test
    void refetch_unchangedSignedFile_answeredFromTheStoreUntilAnythingChanges() throws Exception {
        rkt.run("trust", "--prefix", "rkt-prefix.com", "--skip-fingerprint-review", keyFile.toString()).ok();
        Path image = TestImages.aci(base, "rkt-prefix.com/app", List.of("/bin/true"));
        Path asc = Path.of(image + ".asc");
        Files.write(asc, gpg.sign(image, key, true, null));
        String id = rkt.run("fetch", image.toString()).ok().out().strip();
        Map<String, String> stored = store();

        RktCli.Result again = rkt.run("--debug", "fetch", image.toString()).ok();
        assertEquals(id + "\n", again.out());
        assertTrue(again.err().contains("image: signature verified:\n  Key One <one@rkt-prefix.com>"), again.err());
        assertTrue(again.err().contains("is unchanged since it was imported"), again.err());
        assertEquals(stored, store(), "nothing was imported again");
        assertTrue(rkt.run("--debug", "--insecure-options=image", "fetch", image.toString()).ok().err()
                .contains("is unchanged since it was imported"));

        // a new mtime: read and verified again
        Files.setLastModifiedTime(image, FileTime.from(Instant.parse("2021-01-01T00:00:00Z")));
        RktCli.Result touched = rkt.run("--debug", "fetch", image.toString()).ok();
        assertFalse(touched.err().contains("is unchanged"), touched.err());
        assertTrue(rkt.run("--debug", "fetch", image.toString()).ok().err().contains("is unchanged"));

        // a new signature file: read and verified again
        Files.write(asc, gpg.sign(image, key, false, null));
        assertFalse(rkt.run("--debug", "fetch", image.toString()).ok().err().contains("is unchanged"));

        // the signer no longer trusted: refused as a first fetch would be
        rkt.run("trust", "--remove", key).ok();
        RktCli.Result refused = rkt.run("fetch", image.toString());
        assertEquals(254, refused.code());
        assertTrue(refused.err().contains("signature made by unknown entity"), refused.err());

        long fetched = rkt.run("history", "--no-legend").ok().out().lines().filter(l -> l.contains("ImageFetched")).count();
        assertEquals(6, fetched, "rkt fetch records every fetch, from the store or not");
    }
}
