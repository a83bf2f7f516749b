package dev.rktj.kernel.appc;

/** A manifest or name that breaks the appc spec; the message is one line naming the field. */
public class AppcException extends Exception {
    public AppcException(String message) {
        super(message);
    }

    public AppcException(String message, Throwable cause) {
        super(message, cause);
    }
}
