package dev.rktj.kernel.spi;

import java.util.Map;

/**
 * An image argument as the user typed it, classified by rkt's rules.
 *
 * @param raw the argument as given
 * @param kind what the argument names
 * @param location for FILE an absolute path; for URLs the URL; for NAME the image name alone
 *     (the AC Identifier, without version or labels)
 * @param labels for NAME the labels asked for: {@code version} when given, the host's {@code os}
 *     and {@code arch} where the argument gave none; empty for the other kinds
 */
public record ImageRef(String raw, Kind kind, String location, Map<String, String> labels) {

    public enum Kind { FILE, HTTPS, HTTP, DOCKER, NAME, HASH }

    public ImageRef {
        labels = Map.copyOf(labels);
    }

    /** A reference without labels (every kind but NAME). */
    public ImageRef(String raw, Kind kind, String location) {
        this(raw, kind, location, Map.of());
    }
}
