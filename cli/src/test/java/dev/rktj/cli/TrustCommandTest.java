package dev.rktj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.testing.Gpg;
import dev.rktj.kernel.trust.PgpKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rkt trust} run in-process as the CLI runs it: rkt's lines, the refusal without a
 * terminal, --list, --remove, and the journal's record of each change. (Tests have no terminal:
 * the question itself is exercised end to end, under script(1), in dist's TrustIT.)
 */
class TrustCommandTest {

    @TempDir
    static Path keys;

    private static Gpg gpg;
    private static String alice;
    private static String bob;
    private static Path aliceAndBob;

    @TempDir
    Path dir;

    private Path local;

    /** What one command printed and returned. */
    record Result(int code, String out, String err) {}

    @BeforeAll
    static void makeKeys() throws Exception {
        gpg = Gpg.create(keys);
        alice = gpg.generate("Alice <alice@example.com>", "ed25519", "never", null);
        bob = gpg.generate("Bob <bob@example.com>", "ed25519", "never", null);
        aliceAndBob = Files.write(keys.resolve("keys.asc"), gpg.exportArmored(alice, bob));
    }

    @AfterAll
    static void stopAgent() throws Exception {
        gpg.close();
    }

    @BeforeEach
    void config() {
        local = dir.resolve("etc");
    }

    private Result rkt(String... args) {
        List<String> all = new ArrayList<>(List.of("--dir=" + dir.resolve("data"), "--local-config=" + local,
                "--system-config=" + dir.resolve("lib")));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Rkt.execute(all.toArray(String[]::new), keys, null, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void trust_prefixWithoutReview_rktsLinesAndOneFilePerKey() {
        Result r = rkt("trust", "--prefix", "example.com/app", "--skip-fingerprint-review", "keys.asc");

        assertEquals(0, r.code(), r.err());
        Path a = local.resolve("trustedkeys/prefix.d/example.com/app/" + alice);
        Path b = local.resolve("trustedkeys/prefix.d/example.com/app/" + bob);
        String expected = String.join("\n",
                "gpg key fingerprint is: " + PgpKey.display(alice),
                "\tAlice <alice@example.com>",
                "gpg key fingerprint is: " + PgpKey.display(bob),
                "\tBob <bob@example.com>",
                "Trusting \"keys.asc\" for prefix \"example.com/app\" without fingerprint review.",
                "Added key for prefix \"example.com/app\" at \"" + a + "\"",
                "Added key for prefix \"example.com/app\" at \"" + b + "\"") + "\n";
        assertEquals(expected, r.out());
        assertEquals("trust: prefix: \"example.com/app\"\nkey: \"keys.asc\"\n", r.err());
        assertTrue(Files.isRegularFile(a) && Files.isRegularFile(b));
    }

    @Test
    void trust_rootKey_addedRootKeyLine() {
        Result r = rkt("trust", "--root", "--skip-fingerprint-review", keys.resolve("keys.asc").toString());

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Trusting \"" + keys.resolve("keys.asc") + "\" for prefix \"\" without fingerprint review.\n"), r.out());
        assertTrue(r.out().contains("Added root key at \"" + local.resolve("trustedkeys/root.d/" + alice) + "\"\n"), r.out());
    }

    @Test
    void trust_noTerminalWithoutSkip_refusedInOneLineNamingTheFlag() {
        Result r = rkt("trust", "--prefix", "example.com", "keys.asc");

        assertEquals(254, r.code());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("trust: ") && r.err().contains("--skip-fingerprint-review"), r.err());
        assertFalse(Files.exists(local), "nothing trusted");
    }

    @Test
    void trust_mistakes_oneLineEach() {
        List<String[]> mistakes = List.of(
                new String[] {"trust", "keys.asc"},
                new String[] {"trust", "--root", "--prefix", "example.com", "keys.asc"},
                new String[] {"trust", "--prefix", "https://example.com", "keys.asc"},
                new String[] {"trust", "--prefix", "Example.com", "--skip-fingerprint-review", "keys.asc"},
                new String[] {"trust", "--prefix", "example.com", "--skip-fingerprint-review", "missing.asc"},
                new String[] {"trust", "--list", "keys.asc"},
                new String[] {"trust", "--remove", "not-hex"});
        for (String[] m : mistakes) {
            Result r = rkt(m);
            assertEquals(254, r.code(), String.join(" ", m));
            assertEquals(1, r.err().lines().count(), String.join(" ", m) + " -> " + r.err());
        }
        assertTrue(rkt("trust", "keys.asc").err().contains("aborting due to implicit unbounded trust"));
        assertFalse(Files.exists(local), "nothing trusted");
    }

    @Test
    void trust_prefixWithoutKeyAndNoFetcherForNames_cannotDetermineTheKeyLocation() {
        // no plugins here: nothing discovers names (HttpsIT covers discovery through bin/rkt)
        Result r = rkt("trust", "--prefix", "example.com", "--skip-fingerprint-review");

        assertEquals(254, r.code());
        assertTrue(r.err().startsWith("trust: error determining key location: "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void list_trustedKeys_rktTableAndJson() {
        rkt("trust", "--prefix", "example.com", "--skip-fingerprint-review", "keys.asc");
        rkt("trust", "--root", "--skip-fingerprint-review", "keys.asc");

        Result r = rkt("trust", "--list", "--no-legend");

        assertEquals(0, r.code(), r.err());
        List<String> rows = r.out().lines().map(l -> String.join("|", l.split("\t+"))).toList();
        List<String> expected = new ArrayList<>();
        for (String prefix : List.of("(root)", "example.com")) {
            List<String> two = new ArrayList<>(List.of(alice + "|" + prefix + "|local|Alice <alice@example.com>",
                    bob + "|" + prefix + "|local|Bob <bob@example.com>"));
            two.sort(null);
            expected.addAll(two);
        }
        assertEquals(expected, rows);
        assertTrue(rkt("trust", "--list").out().startsWith("FINGERPRINT\t"));
        String json = rkt("trust", "--list", "--format=json").out();
        assertTrue(json.startsWith("[{\"fingerprint\":\""), json);
        assertTrue(json.contains("\"root\":true") && json.contains("\"prefix\":\"example.com\""), json);
    }

    @Test
    void remove_thenHistory_recordsEveryChange() {
        rkt("trust", "--prefix", "example.com", "--skip-fingerprint-review", "keys.asc");

        Result removed = rkt("trust", "--remove", PgpKey.display(alice));

        assertEquals(0, removed.code(), removed.err());
        assertEquals("Removed key for prefix \"example.com\" at \"" + local.resolve("trustedkeys/prefix.d/example.com/" + alice)
                + "\"\n", removed.out());
        assertFalse(rkt("trust", "--list").out().contains(alice));
        List<String> history = rkt("history", "--no-legend").out().lines()
                .map(l -> l.split("\t+")[2] + " " + l.split("\t+")[3]).toList();
        List<String> trusted = new ArrayList<>(List.of("KeyTrusted " + alice, "KeyTrusted " + bob));
        assertEquals(trusted.stream().sorted().toList(), history.subList(0, 2).stream().sorted().toList());
        assertEquals("KeyRemoved " + alice, history.get(2));
        assertEquals(3, history.size());
    }
}
