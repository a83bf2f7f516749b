package dev.rktj.kernel.image;

import java.time.Instant;
import java.util.Map;

/**
 * What the store knows of one image beyond its bytes.
 *
 * @param labels the manifest's labels, in manifest order
 * @param size the uncompressed tar's size in bytes
 * @param source where it was fetched from (a path, URL or {@code docker://} reference)
 * @param signer who signed it (key fingerprint and identity), or null when unverified
 */
public record StoredImage(
        ImageId id,
        String name,
        Map<String, String> labels,
        long size,
        Instant importTime,
        Instant lastUsed,
        String source,
        String signer) {

    public StoredImage {
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labels));
    }
}
