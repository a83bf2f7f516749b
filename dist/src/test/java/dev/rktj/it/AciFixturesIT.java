package dev.rktj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The appc spec fixtures through {@code rkt fetch}: valid ones import (through the journal agent),
 * the rest are refused leaving no trace, with the same words in the command's JVM and in the agent.
 */
class AciFixturesIT extends PodTest {

    static final Path FIXTURES = RktCli.ROOT.getParent().resolve("shared/appc/aci");

    @Test
    void fetch_everyFixture_validImportedInvalidRefusedWithoutTrace() throws Exception {
        List<Path> fixtures;
        try (Stream<Path> s = Files.list(FIXTURES)) {
            fixtures = s.filter(p -> p.toString().endsWith(".aci")).sorted().toList();
        }
        assertEquals(18, fixtures.size(), "fixtures in " + FIXTURES);
        rkt.run("fetch", "--insecure-options=image", fixtures.stream().filter(p -> name(p).startsWith("valid-plain")).findFirst().orElseThrow().toString()).ok();
        java.util.Set<String> sameTar = new java.util.HashSet<>();
        for (Path aci : fixtures) {
            List<String> before = store();
            String history = rkt.run("history", "--format=json").ok().out();
            boolean valid = name(aci).startsWith("valid-");
            RktCli.Result r = valid ? rkt.runThin("fetch", "--insecure-options=image", aci.toString())
                    : rkt.runBothWays("fetch", "--insecure-options=image", aci.toString());
            if (valid) {
                assertEquals(0, r.code(), name(aci) + ": " + r.err());
                assertTrue(r.out().matches("sha512-[0-9a-f]{32}\n"), name(aci) + ": " + r.out());
                if (name(aci).matches("valid-(plain|gzip|bzip2|xz)\\.aci")) {
                    sameTar.add(r.out());
                }
            } else {
                assertEquals(254, r.code(), name(aci) + " must be refused: " + r.out());
                assertEquals(1, r.err().lines().count(), name(aci) + ": " + r.err());
                assertTrue(r.err().startsWith("fetch: "), r.err());
                assertEquals(before, store(), name(aci) + " left something in the store");
                assertEquals(history, rkt.run("history", "--format=json").ok().out(), name(aci) + " was recorded");
            }
        }
        assertEquals(1, sameTar.size(), "one tar compressed four ways is one image: " + sameTar);
        // plain, gzip, bzip2 and xz are one image; with the 4 others that makes 5 rows under the legend
        assertEquals(1 + 5, rkt.run("image", "list").ok().out().lines().count(), rkt.run("image", "list").out());
    }

    private List<String> store() throws IOException {
        try (Stream<Path> s = Files.walk(rkt.dataDir.resolve("cas"))) {
            return s.map(p -> rkt.dataDir.relativize(p).toString()).filter(p -> !p.contains("/locks")).sorted().toList();
        }
    }

    private static String name(Path p) {
        return p.getFileName().toString();
    }
}
