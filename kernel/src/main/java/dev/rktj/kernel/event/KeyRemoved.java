package dev.rktj.kernel.event;

/**
 * {@code rkt trust --remove} stopped trusting a key for a prefix (or everywhere).
 *
 * @param fingerprint the primary key's fingerprint, lower-case hex
 * @param prefix the image-name prefix, or null for a root key
 * @param path the local keystore file deleted, or written empty to mask a system key
 * @param masked a system key was masked (the key stays in the system configuration, untrusted)
 */
public record KeyRemoved(String fingerprint, String prefix, String path, boolean masked) implements KernelEvent {}
