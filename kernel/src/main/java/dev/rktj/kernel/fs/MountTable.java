package dev.rktj.kernel.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * This process's mount table ({@code /proc/self/mountinfo}): what the kernel checks before it deletes
 * a directory, and what tests compare to prove the host's mounts were left alone.
 */
public final class MountTable {

    private MountTable() {}

    /** One {@code <mount point> <fs type> <source>} line per mount, in order; ids and options left out. */
    public static List<String> mounts() throws IOException {
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            int separator = List.of(f).indexOf("-");
            if (f.length < 5 || separator < 0 || separator + 2 >= f.length) {
                continue;
            }
            mounts.add(unescape(f[4]) + " " + f[separator + 1] + " " + unescape(f[separator + 2]));
        }
        return mounts;
    }

    /** Mount points at or below {@code dir}. */
    public static List<String> mountsUnder(Path dir) throws IOException {
        String at = dir.toAbsolutePath().normalize().toString();
        List<String> found = new ArrayList<>();
        for (String mount : mounts()) {
            String point = mount.substring(0, mount.indexOf(' '));
            if (point.equals(at) || point.startsWith(at + "/")) {
                found.add(point);
            }
        }
        return found;
    }

    /** mountinfo writes space, tab, newline and backslash as {@code \ooo}. */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
