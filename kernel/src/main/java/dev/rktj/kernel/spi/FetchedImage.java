package dev.rktj.kernel.spi;

/**
 * What a fetcher brought.
 *
 * @param blob the staged blob
 * @param signature the detached signature's bytes if one was found, else null
 * @param source where it came from (absolute path or URL), recorded in the journal
 */
public record FetchedImage(BlobDescriptor blob, byte[] signature, String source) {}
