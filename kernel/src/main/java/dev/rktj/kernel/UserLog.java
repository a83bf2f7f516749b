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
}
