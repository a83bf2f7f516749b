package dev.rktj.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go durations ({@code 30m0s}, {@code 1h}, {@code 500ms}) as rkt's flags take them. */
final class Durations {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private Durations() {}

    static Duration parse(String s) {
        String t = s.trim();
        boolean negative = t.startsWith("-");
        if (negative || t.startsWith("+")) {
            t = t.substring(1);
        }
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(t);
        double nanos = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double v = Double.parseDouble(m.group(1));
            nanos += v * switch (m.group(2)) {
                case "ns" -> 1d;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            end = m.end();
        }
        if (end != t.length() || end == 0) {
            throw new Errors.UserException("invalid duration \"" + s + "\" (examples: 30s, 10m, 1h30m)");
        }
        Duration d = Duration.ofNanos((long) nanos);
        return negative ? d.negated() : d;
    }

    /** {@code --wait}: 0 = do not wait, negative = forever, else milliseconds. */
    static long waitLimit(String value) {
        if (value == null || value.equals("false")) {
            return 0;
        }
        if (value.equals("true")) {
            return -1;
        }
        Duration d = parse(value);
        return d.isNegative() ? -1 : d.toMillis();
    }
}
