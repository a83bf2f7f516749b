package dev.rktj.kernel.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Resolves an app's user and group to numbers as appc says: the image's /etc/passwd or
 * /etc/group first, then a decimal number, then (for a value starting with {@code /}) the owner
 * of that path in the image.
 */
public final class AppUser {

    private AppUser() {}

    public static int uid(Path rootfs, String user) throws IOException, PodException {
        return resolve(rootfs, user, "etc/passwd", "unix:uid", "user");
    }

    public static int gid(Path rootfs, String group) throws IOException, PodException {
        return resolve(rootfs, group, "etc/group", "unix:gid", "group");
    }

    private static int resolve(Path rootfs, String value, String db, String ownerAttr, String what)
            throws IOException, PodException {
        if (value == null || value.isEmpty()) {
            throw new PodException("app " + what + " is empty");
        }
        Path file = RootPaths.resolve(rootfs, db);
        if (file != null && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            List<String> lines = Files.readAllLines(file, java.nio.charset.StandardCharsets.ISO_8859_1);
            for (String line : lines) {
                String[] f = line.split(":", -1);
                if (f.length >= 3 && f[0].equals(value)) {
                    try {
                        return Integer.parseInt(f[2]);
                    } catch (NumberFormatException e) {
                        throw new PodException("/" + db + " in the image has a bad entry for " + what + " \"" + value + "\"");
                    }
                }
            }
        }
        if (value.chars().allMatch(Character::isDigit)) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new PodException(what + " \"" + value + "\" is out of range");
            }
        }
        if (value.startsWith("/")) {
            Path p = RootPaths.resolve(rootfs, value);
            if (p == null) {
                throw new PodException(what + " \"" + value + "\": no such path in the image");
            }
            return (Integer) Files.getAttribute(p, ownerAttr, LinkOption.NOFOLLOW_LINKS);
        }
        throw new PodException(what + " \"" + value + "\" not found in the image's /" + db);
    }
}
