package dev.rktj.kernel;

/** A kernel operation failed for a reason the user can act on; the message is one line. */
public class KernelException extends Exception {
    public KernelException(String message) {
        super(message);
    }

    public KernelException(String message, Throwable cause) {
        super(message, cause);
    }
}
