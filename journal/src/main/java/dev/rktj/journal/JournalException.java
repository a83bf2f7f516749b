package dev.rktj.journal;

/** The journal could not be read or written; the message is one line for the user. */
public class JournalException extends Exception {
    public JournalException(String message) {
        super(message);
    }

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
