package dev.rktj.cli;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the CLI asks of the user's terminal: whether stderr is one, and yes/no questions. */
final class Terminal {

    private static Boolean stderrTty;

    private Terminal() {}

    /** Whether file descriptor 2 is a terminal (System.console() only tells about stdin and stdout). */
    static synchronized boolean stderrIsTerminal() {
        if (stderrTty == null) {
            try {
                String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
                stderrTty = target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
            } catch (IOException | UnsupportedOperationException e) {
                stderrTty = false;
            }
        }
        return stderrTty;
    }

    /** Asks until the answer is {@code yes} or {@code no}; null at the end of input. */
    static Boolean yesNo(Console console, PrintWriter out, String question) {
        while (true) {
            out.println(question);
            String answer = console.readLine();
            if (answer == null) {
                return null;
            }
            switch (answer) {
                case "yes":
                    return true;
                case "no":
                    return false;
                default:
                    out.println("Please enter 'yes' or 'no'");
            }
        }
    }
}
