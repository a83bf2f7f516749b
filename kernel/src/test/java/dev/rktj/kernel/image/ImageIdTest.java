package dev.rktj.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageIdTest {

    private static final String HEX64 = "0123456789abcdef".repeat(4);

    @Test
    void parse_storeKey_roundTrips() throws Exception {
        ImageId id = ImageId.parse("sha512-" + HEX64);
        assertEquals(HEX64, id.hex());
        assertEquals("sha512-" + HEX64, id.toString());
        assertEquals("sha512-0123456789ab", id.shortId());
        assertEquals("sha512-0123456789abcdef0123456789abcdef", id.fetchId());
    }

    @Test
    void parse_fullDigestOrUpperCase_cutToTheStoreKey() throws Exception {
        assertEquals(HEX64, ImageId.parse("sha512-" + HEX64 + "f".repeat(64)).hex());
        assertEquals(HEX64, ImageId.parse("SHA512-" + HEX64.toUpperCase()).hex());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sha512-", "sha512-abc", "sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "sha512-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg"})
    void parse_notAnImageId_oneLineMessage(String s) {
        ImageException e = assertThrows(ImageException.class, () -> ImageId.parse(s));
        assertEquals("bad image ID \"" + s + "\": must be \"sha512-\" followed by 64 or 128 hex digits", e.getMessage());
    }

    @Test
    void ofDigest_sha512_firstHalfInHex() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-512").digest("x".getBytes());
        assertEquals(HexFormat.of().formatHex(digest).substring(0, 64), ImageId.ofDigest(digest).hex());
    }

    @Test
    void constructor_badHex_refused() {
        assertThrows(IllegalArgumentException.class, () -> new ImageId("ABC"));
    }
}
