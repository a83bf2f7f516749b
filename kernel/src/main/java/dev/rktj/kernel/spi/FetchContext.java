package dev.rktj.kernel.spi;

import java.util.Set;

/**
 * What the kernel hands a fetcher for one fetch.
 *
 * @param sink where the image bytes go; it hashes while it writes
 * @param insecureOptions the {@code --insecure-options} in force ({@code image}, {@code tls}, {@code http}, ...)
 * @param debug the user asked for {@code --debug}
 * @param log where to write user-facing progress and debug lines (stderr, prefixed by the kernel)
 * @param remote what a fetcher that talks to servers may use ({@link RemoteAccess#none()} for none)
 */
public record FetchContext(BlobSink sink, Set<String> insecureOptions, boolean debug, Log log, RemoteAccess remote) {
    public FetchContext {
        insecureOptions = Set.copyOf(insecureOptions);
        remote = remote == null ? RemoteAccess.none() : remote;
    }

    /** A context for fetchers that never talk to servers. */
    public FetchContext(BlobSink sink, Set<String> insecureOptions, boolean debug, Log log) {
        this(sink, insecureOptions, debug, log, RemoteAccess.none());
    }

    public boolean insecure(String option) {
        return insecureOptions.contains(option);
    }

    /** A line sink for messages to the user. */
    public interface Log {
        void info(String line);

        void debug(String line);

        /**
         * How far a download is: called as bytes arrive ({@code total} -1 when unknown) and once
         * more with {@code done} true at the end. The kernel draws a progress bar when stderr is a
         * terminal and ignores it otherwise.
         */
        default void progress(String what, long bytes, long total, boolean done) {}
    }
}
