package dev.rktj.kernel.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Resolves a path inside an image rootfs the way a chrooted process would see it: symlinks are
 * followed relative to the rootfs, and nothing resolves outside it (an image's {@code /etc/passwd}
 * pointing at the host's must not make the kernel read the host's).
 */
public final class RootPaths {

    private static final int MAX_LINKS = 40;

    private RootPaths() {}

    /** The host path of {@code inner} under {@code root}, or null if it does not exist. */
    public static Path resolve(Path root, String inner) throws IOException {
        Path current = root;
        java.util.Deque<String> todo = new java.util.ArrayDeque<>(java.util.List.of(split(inner)));
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.pollFirst();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!current.equals(root)) {
                    current = current.getParent();
                }
                continue;
            }
            Path next = current.resolve(part);
            if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            if (Files.isSymbolicLink(next)) {
                if (++links > MAX_LINKS) {
                    throw new IOException("too many levels of symbolic links resolving " + inner);
                }
                String target = Files.readSymbolicLink(next).toString();
                String[] t = split(target);
                for (int i = t.length - 1; i >= 0; i--) {
                    todo.addFirst(t[i]);
                }
                if (target.startsWith("/")) {
                    current = root;
                }
                continue;
            }
            current = next;
        }
        return current;
    }

    private static String[] split(String p) {
        return p.split("/");
    }
}
