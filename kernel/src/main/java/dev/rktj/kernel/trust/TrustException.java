package dev.rktj.kernel.trust;

/** A key could not be read, stored, listed or removed; the message is one line for the user. */
public class TrustException extends Exception {
    public TrustException(String message) {
        super(message);
    }

    public TrustException(String message, Throwable cause) {
        super(message, cause);
    }
}
