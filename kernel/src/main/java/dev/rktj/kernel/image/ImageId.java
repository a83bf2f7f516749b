package dev.rktj.kernel.image;

import java.util.HexFormat;
import java.util.Locale;

/**
 * The identity of an image: the sha512 of its uncompressed tar, cut to 64 hex digits as rkt's
 * store keys are.
 *
 * @param hex 64 lowercase hex digits
 */
public record ImageId(String hex) {

    public static final String PREFIX = "sha512-";
    private static final int HEX_LENGTH = 64;

    public ImageId {
        if (hex == null || hex.length() != HEX_LENGTH || !isLowerHex(hex)) {
            throw new IllegalArgumentException("image ID hex must be 64 lowercase hex digits: " + hex);
        }
    }

    /** Reads {@code sha512-<64 hex>} or the full {@code sha512-<128 hex>} (cut to 64). */
    public static ImageId parse(String s) throws ImageException {
        String lower = s == null ? "" : s.toLowerCase(Locale.ROOT);
        if (lower.startsWith(PREFIX)) {
            String hex = lower.substring(PREFIX.length());
            if ((hex.length() == HEX_LENGTH || hex.length() == 2 * HEX_LENGTH) && isLowerHex(hex)) {
                return new ImageId(hex.substring(0, HEX_LENGTH));
            }
        }
        throw new ImageException("bad image ID " + quote(s) + ": must be \"sha512-\" followed by 64 or 128 hex digits");
    }

    /** The ID of a tar whose full sha512 digest (64 bytes) is given. */
    public static ImageId ofDigest(byte[] sha512) {
        if (sha512 == null || sha512.length != 64) {
            throw new IllegalArgumentException("not a sha512 digest");
        }
        return new ImageId(HexFormat.of().formatHex(sha512, 0, HEX_LENGTH / 2));
    }

    /** {@code sha512-<64 hex>}: the store key and the form pod manifests hold. */
    @Override
    public String toString() {
        return PREFIX + hex;
    }

    /** {@code sha512-<12 hex>}, as {@code image list} shows it. */
    public String shortId() {
        return PREFIX + hex.substring(0, 12);
    }

    /** {@code sha512-<32 hex>}, as {@code fetch} prints it. */
    public String fetchId() {
        return PREFIX + hex.substring(0, 32);
    }

    static boolean isLowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    static String quote(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
