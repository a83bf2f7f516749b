package dev.rktj.kernel.spi;

/**
 * A staged image blob.
 *
 * @param imageId {@code sha512-<64 hex>}: the sha512 of the uncompressed tar, cut to 64 hex
 * @param size size of the uncompressed tar in bytes
 */
public record BlobDescriptor(String imageId, long size) {}
