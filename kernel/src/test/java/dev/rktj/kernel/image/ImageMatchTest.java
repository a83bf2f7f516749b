package dev.rktj.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.appc.Appc;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How an image's labels answer a name's: the store's lookup and discovery's validation share the rule. */
class ImageMatchTest {

    @Test
    void wanted_fillsTheHostsOsAndArchOnly() {
        assertEquals(Map.of("version", "1.0", "os", Appc.HOST_OS, "arch", Appc.HOST_ARCH), ImageMatch.wanted(Map.of("version", "1.0")));
        assertEquals(Map.of("os", "freebsd", "arch", Appc.HOST_ARCH), ImageMatch.wanted(Map.of("os", "freebsd")));
    }

    @Test
    void mismatch_sameValues_none() {
        assertNull(ImageMatch.mismatch(Map.of("version", "1.0", "os", "linux", "arch", "amd64", "extra", "x"),
                Map.of("version", "1.0", "os", "linux", "arch", "amd64")));
    }

    @Test
    void mismatch_askedLabelWithAnotherValue_saysBoth() {
        assertEquals("version \"2.0\", not \"1.0\"", ImageMatch.mismatch(Map.of("version", "2.0"), Map.of("version", "1.0")));
        assertEquals("arch \"arm64\", not \"amd64\"", ImageMatch.mismatch(Map.of("arch", "arm64"), Map.of("arch", "amd64")));
    }

    @Test
    void mismatch_askedLabelMissing_saysWhatWasAsked() {
        assertEquals("no version label (\"1.0\" asked)", ImageMatch.mismatch(Map.of(), Map.of("version", "1.0")));
        assertEquals("no channel label (\"beta\" asked)", ImageMatch.mismatch(Map.of("version", "1"), Map.of("channel", "beta")));
    }

    @Test
    void mismatch_osAndArchAbsentFromTheImage_runsAnywhere() {
        assertNull(ImageMatch.mismatch(Map.of(), Map.of("os", "linux", "arch", "amd64")));
        assertTrue(ImageMatch.satisfies(Map.of(), Map.of("os", "linux")));
        assertFalse(ImageMatch.satisfies(Map.of("os", "darwin"), Map.of("os", "linux")));
    }
}
