package dev.rktj.kernel.image;

import java.util.ArrayList;
import java.util.List;

/**
 * How archive entry names are read: cleaned like Go's filepath.Clean for {@code ./} and
 * {@code //}, but with {@code ..} and absolute names refused outright, so no later step ever has
 * to reason about a name that climbs.
 */
final class EntryNames {

    private EntryNames() {}

    /** An entry refused for its name; the message names the entry. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /** The cleaned name ("." for the archive's top directory). */
    static String clean(String raw) throws Refused {
        return clean(raw, raw, "path");
    }

    /** Cleans a hard link's target, blaming the entry {@code raw} that names it. */
    static String cleanLinkTarget(String raw, String target) throws Refused {
        return clean(target, raw, "hard link target " + ImageId.quote(target));
    }

    private static String clean(String name, String entry, String what) throws Refused {
        if (name == null || name.isEmpty()) {
            throw new Refused(refusing(entry, "empty " + what));
        }
        if (name.startsWith("/")) {
            throw new Refused(refusing(entry, what + " is absolute"));
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new Refused(refusing(entry, what + " escapes the image"));
            }
            parts.add(part);
        }
        return parts.isEmpty() ? "." : String.join("/", parts);
    }

    /** The parent of a cleaned name, or null at the top. */
    static String parent(String cleaned) {
        int slash = cleaned.lastIndexOf('/');
        return slash < 0 ? null : cleaned.substring(0, slash);
    }

    static String top(String cleaned) {
        int slash = cleaned.indexOf('/');
        return slash < 0 ? cleaned : cleaned.substring(0, slash);
    }

    static String refusing(String entry, String reason) {
        return "refusing archive entry " + ImageId.quote(entry) + ": " + reason;
    }

    /** As {@link #refusing}, for a name that is no text: printable ASCII as is, other bytes as {@code \xNN}. */
    static String refusingBytes(byte[] entry, String reason) {
        StringBuilder quoted = new StringBuilder("\"");
        for (byte b : entry) {
            int c = b & 0xff;
            if (c == '"' || c == '\\') {
                quoted.append('\\').append((char) c);
            } else if (c >= 0x20 && c < 0x7f) {
                quoted.append((char) c);
            } else {
                quoted.append(String.format("\\x%02x", c));
            }
        }
        return "refusing archive entry " + quoted.append('"') + ": " + reason;
    }
}
