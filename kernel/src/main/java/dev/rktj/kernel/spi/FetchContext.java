package dev.rktj.kernel.spi;

import java.util.Set;

/**
 * What the kernel hands a fetcher for one fetch.
 *
 * @param sink where the image bytes go; it hashes while it writes
 * @param insecureOptions the {@code --insecure-options} in force ({@code image}, {@code tls}, {@code http}, ...)
 * @param debug the user asked for {@code --debug}
 * @param log where to write user-facing progress and debug lines (stderr, prefixed by the kernel)
 */
public record FetchContext(BlobSink sink, Set<String> insecureOptions, boolean debug, Log log) {
    public FetchContext {
        insecureOptions = Set.copyOf(insecureOptions);
    }

    /** A line sink for messages to the user. */
    public interface Log {
        void info(String line);

        void debug(String line);
    }
}
