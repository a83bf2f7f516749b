package dev.rktj.kernel.spi;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A {@link BlobSink} for fetcher tests: sha512-hashes and counts what it is given, as the kernel's
 * sink does, without storing it, and keeps the signature a fetcher passed. It does not decompress
 * or verify: the image ID of a compressed archive differs from the kernel's, which fetcher tests
 * never compare against.
 */
public final class HashingBlobSink implements BlobSink {

    private final boolean wantsSignature;
    private int writes;
    private long bytes;
    private BlobDescriptor descriptor;
    private byte[] signature;

    /** A sink that, like the kernel's under {@code --insecure-options=image}, wants no signature. */
    public HashingBlobSink() {
        this(false);
    }

    private HashingBlobSink(boolean wantsSignature) {
        this.wantsSignature = wantsSignature;
    }

    /** A sink that, like the kernel's by default, asks the fetcher for the image's signature. */
    public static HashingBlobSink wantingSignature() {
        return new HashingBlobSink(true);
    }

    @Override
    public boolean wantsSignature() {
        return wantsSignature;
    }

    @Override
    public BlobDescriptor write(InputStream archive, byte[] signature) throws IOException {
        this.signature = signature;
        return write(archive);
    }

    @Override
    public BlobDescriptor write(InputStream archive) throws IOException {
        writes++;
        MessageDigest sha512;
        try {
            sha512 = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-512", e);
        }
        long count = 0;
        try (DigestInputStream in = new DigestInputStream(archive, sha512)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                count += n;
            }
        }
        bytes = count;
        descriptor = new BlobDescriptor("sha512-" + HexFormat.of().formatHex(sha512.digest()).substring(0, 64), count);
        return descriptor;
    }

    /** How many times {@link #write} was called. */
    public int writes() {
        return writes;
    }

    /** Bytes read by the last write. */
    public long bytes() {
        return bytes;
    }

    /** The signature the last write was given; null for none. */
    public byte[] signature() {
        return signature;
    }

    /** What the last write returned; null before any. */
    public BlobDescriptor descriptor() {
        return descriptor;
    }

    /** The image ID {@code bytes} would get from this sink. */
    public static String imageIdOf(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-512").digest(bytes);
            return "sha512-" + HexFormat.of().formatHex(digest).substring(0, 64);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-512", e);
        }
    }
}
