package dev.rktj.stage1.fly;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Owns reading this process's mount table ({@code /proc/self/mountinfo}). */
final class MountTable {

    private MountTable() {}

    /** Mount points at or below {@code dir}, as the calling process sees them. */
    static List<String> mountPointsUnder(Path dir) throws IOException {
        return mountPointsUnder(dir, Files.readAllLines(Path.of("/proc/self/mountinfo"), UTF_8));
    }

    /** Mount points at or below {@code dir} in these mountinfo lines. */
    static List<String> mountPointsUnder(Path dir, List<String> mountinfo) {
        String base = dir.toString();
        String prefix = base.endsWith("/") ? base : base + "/";
        List<String> found = new ArrayList<>();
        for (String line : mountinfo) {
            String[] fields = line.split(" ");
            if (fields.length < 5) {
                continue;
            }
            String point = unescape(fields[4]);
            if (point.equals(base) || point.startsWith(prefix)) {
                found.add(point);
            }
        }
        return found;
    }

    /** mountinfo writes space, tab, newline and backslash as {@code \ooo}. */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                String octal = field.substring(i + 1, i + 4);
                if (octal.matches("[0-7]{3}")) {
                    out.append((char) Integer.parseInt(octal, 8));
                    i += 3;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }
}
