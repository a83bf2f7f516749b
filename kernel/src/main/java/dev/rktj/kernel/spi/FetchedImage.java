package dev.rktj.kernel.spi;

/**
 * What a fetcher brought.
 *
 * @param blob the staged blob; for a {@link RemoteResult#reused() reused} image, the stored blob
 *     the kernel's remote record named
 * @param signature the detached signature the fetcher handed the sink with the archive, else null
 *     (the sink has verified it by the time the fetch returns)
 * @param source where it came from (absolute path or URL), recorded in the journal
 * @param remote for a fetch from a URL, what the kernel should remember about it; else null
 */
public record FetchedImage(BlobDescriptor blob, byte[] signature, String source, RemoteResult remote) {

    /** A fetch that has nothing to remember per URL (a local file). */
    public FetchedImage(BlobDescriptor blob, byte[] signature, String source) {
        this(blob, signature, source, null);
    }

    /**
     * The answer of a server for one image URL, which the kernel keeps (rkt's {@code remote} table)
     * so that the next fetch can revalidate ({@code If-None-Match}) or skip the network
     * ({@code Cache-Control: max-age}).
     *
     * @param aciUrl the image's URL (before redirects: the key the next fetch looks up)
     * @param signatureUrl the signature's URL, or null when none was fetched
     * @param etag the server's {@code ETag}, or null
     * @param maxAgeSeconds the server's {@code Cache-Control: max-age}, 0 for none
     * @param reused true when nothing was downloaded: the server answered 304, or the record was
     *     still fresh, or the pull policy let the stored blob serve; {@code blob} is then the stored one
     */
    public record RemoteResult(String aciUrl, String signatureUrl, String etag, long maxAgeSeconds, boolean reused) {}
}
