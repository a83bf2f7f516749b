package dev.rktj.kernel;

/**
 * Where kernel operations send lines meant for the user. The CLI decides the prefix and the
 * stream; the kernel only says what happened.
 */
public interface UserLog {

    /** A result line for stdout ({@code Garbage collecting pod "U"}). */
    void out(String line);

    /** A progress or warning line for stderr. */
    void err(String line);

    /** A line shown only with {@code --debug}. */
    void debug(String line);

    /**
     * Asks the user a yes/no question on the terminal; false (without asking) when there is no
     * terminal to ask on, which {@link #canAsk()} tells beforehand.
     */
    default boolean confirm(String question) {
        return false;
    }

    /** Whether {@link #confirm} can ask: standard input and output are a terminal. */
    default boolean canAsk() {
        return false;
    }

    /**
     * How far a download is ({@code total} -1 when unknown; {@code done} once at the end): drawn
     * as a progress bar when stderr is a terminal, ignored otherwise.
     */
    default void progress(String what, long bytes, long total, boolean done) {}
}
