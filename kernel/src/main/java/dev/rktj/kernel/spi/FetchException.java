package dev.rktj.kernel.spi;

/** A fetch failure, carrying a one-line message meant for the user. */
public class FetchException extends Exception {
    public FetchException(String message) {
        super(message);
    }

    public FetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
