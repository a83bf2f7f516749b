package dev.rktj.kernel.spi;

/**
 * An image argument as the user typed it, classified by rkt's rules.
 *
 * @param raw the argument as given
 * @param kind what the argument names
 * @param location for FILE an absolute path; for URLs the URL; for NAME the name string
 */
public record ImageRef(String raw, Kind kind, String location) {

    public enum Kind { FILE, HTTPS, HTTP, DOCKER, NAME, HASH }
}
