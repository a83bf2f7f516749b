package dev.rktj.kernel.image;

/** A store operation that failed; the message is one line meant for the user. */
public class ImageException extends Exception {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
