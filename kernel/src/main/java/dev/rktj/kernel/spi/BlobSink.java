package dev.rktj.kernel.spi;

import java.io.IOException;
import java.io.InputStream;

/**
 * Receives an image archive (plain or compressed) and stages it: decompresses, hashes and
 * validates while it writes. The blob becomes visible in the store only when the kernel commits
 * it after the fetch returns.
 */
public interface BlobSink {

    /** Streams the archive in once; returns what was staged. */
    BlobDescriptor write(InputStream archive) throws IOException, FetchException;
}
