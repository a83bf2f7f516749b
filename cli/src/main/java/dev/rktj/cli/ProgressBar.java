package dev.rktj.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * rkt's download bar on a terminal's stderr, {@code Downloading ACI: [=====>     ] 1.8 MB/3.8 MB},
 * redrawn in place at most ten times a second and ended with a newline.
 */
final class ProgressBar {

    private static final int WIDTH = 40;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final String what;
    private long lastDraw;

    ProgressBar(PrintWriter err, String what) {
        this.err = err;
        this.what = what;
    }

    void show(long bytes, long total, boolean done) {
        long now = System.nanoTime();
        if (!done && lastDraw != 0 && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        err.print("\r" + line(what, bytes, total));
        if (done) {
            err.println();
        }
        err.flush();
    }

    static String line(String what, long bytes, long total) {
        if (total <= 0) {
            return what + ": " + size(bytes);
        }
        int filled = (int) Math.min(WIDTH, bytes * WIDTH / total);
        StringBuilder b = new StringBuilder(what).append(": [");
        for (int i = 0; i < WIDTH; i++) {
            b.append(i < filled - 1 || filled == WIDTH ? '=' : i == filled - 1 ? '>' : ' ');
        }
        return b.append("] ").append(size(bytes)).append('/').append(size(total)).toString();
    }

    static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
