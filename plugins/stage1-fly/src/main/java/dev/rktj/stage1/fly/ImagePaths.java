package dev.rktj.stage1.fly;

import dev.rktj.kernel.spi.Stage1Exception;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Owns resolving a path of the image as the app will see it after chroot: symlinks are followed
 * relative to the image root, and {@code ..} stops at it, so the result never leaves the tree.
 */
final class ImagePaths {

    /** Linux gives up after 40 links (ELOOP); so does this. */
    private static final int MAX_LINKS = 40;

    private ImagePaths() {}

    /**
     * The directory {@code path} names inside {@code tree}, as an absolute path with no symlinks,
     * {@code .} or {@code ..} left ({@code /} for the root).
     */
    static String resolveDirectory(Path tree, String path) throws Stage1Exception {
        String wanted = path == null || path.isEmpty() ? "/" : path;
        if (!wanted.startsWith("/")) {
            throw new Stage1Exception("stage1 fly: working directory \"" + wanted + "\" is not an absolute path");
        }
        Deque<String> pending = new ArrayDeque<>(List.of(wanted.split("/")));
        List<String> resolved = new ArrayList<>();
        int links = 0;
        try {
            while (!pending.isEmpty()) {
                String name = pending.removeFirst();
                if (name.isEmpty() || name.equals(".")) {
                    continue;
                }
                if (name.equals("..")) {
                    if (!resolved.isEmpty()) {
                        resolved.remove(resolved.size() - 1);
                    }
                    continue;
                }
                Path candidate = inTree(tree, resolved).resolve(name);
                if (Files.isSymbolicLink(candidate)) {
                    if (++links > MAX_LINKS) {
                        throw new Stage1Exception("stage1 fly: working directory \"" + wanted
                                + "\" has too many levels of symbolic links in the image");
                    }
                    String target = Files.readSymbolicLink(candidate).toString();
                    List<String> parts = List.of(target.split("/"));
                    for (int i = parts.size() - 1; i >= 0; i--) {
                        pending.addFirst(parts.get(i));
                    }
                    if (target.startsWith("/")) {
                        resolved.clear();
                    }
                    continue;
                }
                resolved.add(name);
            }
        } catch (IOException | InvalidPathException e) {
            throw missing(wanted);
        }
        Path directory = inTree(tree, resolved);
        if (!directory.normalize().startsWith(tree.normalize())
                || !Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            throw missing(wanted);
        }
        return "/" + String.join("/", resolved);
    }

    private static Path inTree(Path tree, List<String> names) {
        return names.isEmpty() ? tree : tree.resolve(String.join("/", names));
    }

    private static Stage1Exception missing(String path) {
        return new Stage1Exception("stage1 fly: working directory \"" + path + "\" does not exist in the image");
    }
}
