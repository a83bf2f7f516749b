package dev.rktj.kernel.spi;

/** A stage1 failure, carrying a one-line message meant for the user. */
public class Stage1Exception extends Exception {
    public Stage1Exception(String message) {
        super(message);
    }

    public Stage1Exception(String message, Throwable cause) {
        super(message, cause);
    }
}
