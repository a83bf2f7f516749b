package dev.rktj.kernel.trust;

import java.nio.file.Path;
import java.util.List;

/**
 * One file of the keystore, as {@code rkt trust --list} shows it.
 *
 * @param fingerprint lower-case hex (the file's name)
 * @param prefix the image-name prefix the key is trusted for, or null for a root key (every image)
 * @param origin the local ({@code --local-config}) or system ({@code --system-config}) keystore
 * @param status trusted, a system key masked by an empty local file, or that empty file itself
 * @param identities the key's user IDs; empty for a mask
 * @param path the file
 */
public record TrustedKey(String fingerprint, String prefix, Origin origin, Status status, List<String> identities, Path path) {

    public TrustedKey {
        identities = List.copyOf(identities);
    }

    /** Which configuration directory a key file is in. */
    public enum Origin { LOCAL, SYSTEM }

    /** Whether a key file counts. */
    public enum Status {
        /** The key is trusted for its prefix (or everywhere). */
        TRUSTED,
        /** A system key that an empty local file with its fingerprint, in the same place, disables. */
        MASKED,
        /** The empty local file that masks a system key. */
        MASK
    }

    public boolean root() {
        return prefix == null;
    }
}
