package dev.rktj.kernel.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The digest of a rendered tree that {@code rkt image verify} checks: sha512 over every entry
 * below the rootfs in a fixed order (depth first, names sorted), each as its type, mode, owner,
 * path, and its link target, device number or content. Contents are digested on their own first,
 * file by file in parallel (a hard link's once), so the whole costs about one read of the tree on
 * every core; times and xattrs are not covered. Kept in the tree's {@code hash} file as
 * {@code sha512-<128 hex>}.
 */
final class TreeHash {

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final String VERSION = "rktj tree hash 1\n";

    private record Entry(String path, Path file, int mode, int uid, int gid, long rdev, long size, String inode) {}

    private TreeHash() {}

    /** The digest of the tree at {@code rootfs}. */
    static String of(Path rootfs) throws IOException {
        List<Entry> entries = new ArrayList<>();
        walk(rootfs, "", entries);
        Map<String, byte[]> contents = new ConcurrentHashMap<>();
        try {
            entries.parallelStream()
                    .filter(e -> (e.mode & S_IFMT) == S_IFREG)
                    .forEach(e -> contents.computeIfAbsent(e.inode, k -> digestFile(e.file, e.size)));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        MessageDigest tree = sha512();
        tree.update(VERSION.getBytes(StandardCharsets.US_ASCII));
        HexFormat hex = HexFormat.of();
        StringBuilder line = new StringBuilder();
        for (Entry e : entries) {
            line.setLength(0);
            line.append(Integer.toOctalString(e.mode)).append(' ').append(e.uid).append(' ').append(e.gid).append(' ');
            int type = e.mode & S_IFMT;
            if (type == S_IFREG) {
                line.append(e.size).append(' ').append(hex.formatHex(contents.get(e.inode)));
            } else if (type == S_IFCHR || type == S_IFBLK) {
                line.append(e.rdev);
            }
            line.append(' ');
            tree.update(line.toString().getBytes(StandardCharsets.US_ASCII));
            tree.update(e.path.getBytes(StandardCharsets.UTF_8));
            tree.update((byte) 0);
            if (type == S_IFLNK) {
                tree.update(Files.readSymbolicLink(e.file).toString().getBytes(StandardCharsets.UTF_8));
                tree.update((byte) 0);
            }
        }
        return ImageId.PREFIX + hex.formatHex(tree.digest());
    }

    private static void walk(Path dir, String prefix, List<Entry> into) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                names.add(p.getFileName().toString());
            }
        }
        names.sort(null);
        for (String name : names) {
            Path p = dir.resolve(name);
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,rdev,size,dev,ino", NOFOLLOW);
            int mode = (Integer) a.get("mode");
            String path = prefix + "/" + name;
            into.add(new Entry(path, p, mode, (Integer) a.get("uid"), (Integer) a.get("gid"), (Long) a.get("rdev"),
                    (Long) a.get("size"), a.get("dev") + ":" + a.get("ino")));
            if ((mode & S_IFMT) == 0040000) {
                walk(p, path, into);
            }
        }
    }

    private static byte[] digestFile(Path file, long size) {
        Sha512 md = Sha512.create();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[(int) Math.max(4096, Math.min(size + 1, 1 << 18))];
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return md.digest();
    }

    private static MessageDigest sha512() {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-512", e);
        }
    }
}
