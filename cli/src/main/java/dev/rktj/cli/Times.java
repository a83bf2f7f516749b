package dev.rktj.cli;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** rkt's time formats: Go's {@code 2006-01-02 15:04:05.999 -0700 MST}, and go-humanize's relative times. */
final class Times {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter ZONE = DateTimeFormatter.ofPattern("Z z", Locale.ROOT);

    private Times() {}

    static String full(long epochMillis) {
        ZonedDateTime t = Instant.ofEpochMilli(epochMillis).atZone(ZoneId.systemDefault());
        StringBuilder b = new StringBuilder(SECONDS.format(t));
        int ms = (int) Math.floorMod(epochMillis, 1000L);
        if (ms != 0) {
            // .999 in Go's layout drops trailing zeros
            String frac = String.format("%03d", ms).replaceAll("0+$", "");
            b.append('.').append(frac);
        }
        return b.append(' ').append(ZONE.format(t)).toString();
    }

    static String relative(long epochMillis, long nowMillis) {
        long s = Math.max(0, (nowMillis - epochMillis) / 1000);
        if (s < 1) {
            return "now";
        }
        if (s < 60) {
            return plural(s, "second");
        }
        if (s < 3600) {
            return plural(s / 60, "minute");
        }
        if (s < 86400) {
            return plural(s / 3600, "hour");
        }
        if (s < 7 * 86400) {
            return plural(s / 86400, "day");
        }
        if (s < 30 * 86400) {
            return plural(s / (7 * 86400), "week");
        }
        if (s < 365 * 86400) {
            return plural(s / (30 * 86400), "month");
        }
        return plural(s / (365 * 86400), "year");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s") + " ago";
    }
}
