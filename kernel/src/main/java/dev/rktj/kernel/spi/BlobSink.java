package dev.rktj.kernel.spi;

import java.io.IOException;
import java.io.InputStream;

/**
 * Receives an image archive (plain or compressed) and stages it: decompresses, hashes and
 * validates while it writes. The blob becomes visible in the store only when the kernel commits
 * it after the fetch returns.
 *
 * <p>Images are verified by default. When {@link #wantsSignature()} says so, a fetcher finds the
 * image's detached signature <em>before</em> it streams the archive and hands both to
 * {@link #write(InputStream, byte[])}: the sink checks the signature over the archive's bytes as
 * they pass, in the same single read that hashes and stores them. A fetcher that finds no
 * signature when one is wanted fails with a message starting {@code error opening signature file}.
 */
public interface BlobSink {

    /**
     * Streams the archive in once; returns what was staged. A sink that wants a signature refuses
     * an archive given without one.
     */
    BlobDescriptor write(InputStream archive) throws IOException, FetchException;

    /**
     * Whether the kernel wants the fetcher to bring the image's detached signature: false when the
     * user turned verification off ({@code --insecure-options=image}) or gave the signature
     * himself ({@code --signature FILE}).
     */
    default boolean wantsSignature() {
        return false;
    }

    /**
     * Streams the archive in once, verifying {@code signature} (an OpenPGP detached signature,
     * armored or binary) over the archive's bytes exactly as given; a signature that does not
     * verify leaves nothing staged. A sink that does not verify refuses a signature rather than
     * dropping it unchecked.
     *
     * @param signature the detached signature, or null for none
     */
    default BlobDescriptor write(InputStream archive, byte[] signature) throws IOException, FetchException {
        if (signature == null) {
            return write(archive);
        }
        throw new FetchException("this blob sink cannot verify signatures");
    }
}
