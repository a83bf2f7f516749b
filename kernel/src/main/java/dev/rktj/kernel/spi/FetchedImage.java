package dev.rktj.kernel.spi;

/**
 * What a fetcher brought.
 *
 * @param blob the staged blob
 * @param signature the detached signature the fetcher handed the sink with the archive, else null
 *     (the sink has verified it by the time the fetch returns)
 * @param source where it came from (absolute path or URL), recorded in the journal
 */
public record FetchedImage(BlobDescriptor blob, byte[] signature, String source) {}
