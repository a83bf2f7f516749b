package dev.rktj.kernel.image;

import java.nio.file.NoSuchFileException;
import java.util.Locale;

/** One-line reasons for the store's I/O failures, worded the same wherever the store meets them. */
final class Failures {

    private Failures() {}

    static String oneLine(Exception e) {
        if (isDiskFull(e)) {
            return "no space left on device";
        }
        String m = e.getMessage();
        if (e instanceof NoSuchFileException) {
            m = "no such file: " + m;
        }
        return m == null ? e.getClass().getSimpleName() : m.replaceAll("\\s+", " ").trim();
    }

    /** ENOSPC or EDQUOT anywhere in the chain; the JDK only says so in the message (strerror's words). */
    static boolean isDiskFull(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage() == null ? "" : c.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("no space left on device") || m.contains("disk quota exceeded")) {
                return true;
            }
        }
        return false;
    }
}
