package dev.rktj.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Turns failures into rkt's one-line {@code <command>: <message>} and exit code 254; {@code --debug} adds the chain. */
final class Errors {

    private Errors() {}

    static String prefix(CommandLine cl) {
        return cl.getCommandName().equals("rkt") ? "" : cl.getCommandName() + ": ";
    }

    static int report(Exception e, CommandLine cl, boolean debug, PrintWriter err) {
        String message = e.getMessage();
        boolean known = e instanceof dev.rktj.kernel.KernelException || e instanceof UserException
                || e instanceof dev.rktj.journal.JournalException;
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        err.println(prefix(cl) + (known ? "" : "internal error: ") + firstLine(message));
        if (debug) {
            Throwable c = e.getCause();
            String indent = "";
            while (c != null) {
                err.println(indent + "└─" + firstLine(String.valueOf(c.getMessage())));
                indent += "  ";
                c = c.getCause();
            }
            e.printStackTrace(err);
        } else if (!known) {
            err.println(prefix(cl) + "(run with --debug for details)");
        }
        return Rkt.EXIT_ERROR;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** A refusal raised by the CLI itself (bad flag combination); one line. */
    static final class UserException extends RuntimeException {
        UserException(String message) {
            super(message);
        }
    }
}
