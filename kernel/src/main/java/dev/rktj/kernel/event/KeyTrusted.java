package dev.rktj.kernel.event;

import java.util.List;

/**
 * {@code rkt trust} added a key to the local keystore.
 *
 * @param fingerprint the primary key's fingerprint, lower-case hex
 * @param prefix the image-name prefix it is trusted for, or null for a root key (every image)
 * @param identities the key's user IDs
 * @param source the file or URL the key was read from
 * @param path the keystore file written
 */
public record KeyTrusted(String fingerprint, String prefix, List<String> identities, String source, String path)
        implements KernelEvent {}
