package dev.rktj.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.rktj.kernel.testing.AciBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What GNU tar packs is what a render gives back: a tree is made with every kind of file and
 * attribute, packed with {@code tar --xattrs --format=posix} as image authors do, imported,
 * rendered, and compared path by path.
 */
class RenderFidelityTest {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final Instant T1 = Instant.parse("2001-02-03T04:05:06.123456789Z");
    private static final Instant T2 = Instant.parse("2011-12-13T14:15:16.987654321Z");
    private static final Instant T3 = Instant.parse("1999-12-31T23:59:59.5Z");
    /** A value that is no text: what GNU tar writes raw into the PAX header and a UTF-8 decoder would mangle. */
    private static final byte[] BINARY = {(byte) 0xff, 0, 1, (byte) 0x80, '\n', '=', (byte) 0xc3};

    @TempDir
    Path tmp;

    private interface LibC extends Library {
        long lgetxattr(byte[] path, byte[] name, byte[] value, long size) throws LastErrorException;

        long llistxattr(byte[] path, byte[] list, long size) throws LastErrorException;
    }

    private static final LibC LIBC = Native.load("c", LibC.class);

    @Test
    void render_gnuTarArchiveWithEveryKindOfEntry_givesBackEveryAttribute() throws Exception {
        boolean root = TarExtractor.runningAsRoot();
        Path layout = Files.createDirectories(tmp.resolve("layout"));
        Files.writeString(layout.resolve("manifest"), AciBuilder.image("example.com/fidelity").manifest());
        Path src = Files.createDirectories(layout.resolve("rootfs"));

        Path bin = Files.createDirectories(src.resolve("bin"));
        Path tool = Files.write(bin.resolve("tool"), "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
        Path su = Files.write(bin.resolve("su"), new byte[] {1, 2, 3});
        Files.createLink(bin.resolve("su-link"), su);
        Files.createSymbolicLink(bin.resolve("sh"), Path.of("tool"));
        Files.createSymbolicLink(src.resolve("dangling"), Path.of("/nowhere/at/all"));
        Path shared = Files.createDirectories(src.resolve("srv/shared"));
        Path secret = Files.write(src.resolve("srv/secret"), "s".getBytes(StandardCharsets.UTF_8));
        Path locked = Files.createDirectories(src.resolve("locked"));
        Files.writeString(locked.resolve("inside"), "kept");
        LinuxFiles.setXattr(tool, "user.binary", BINARY);
        LinuxFiles.setXattr(tool, "user.text", "héllo".getBytes(StandardCharsets.UTF_8));
        LinuxFiles.setXattr(shared, "user.dir", "on a directory".getBytes(StandardCharsets.UTF_8));
        if (root) {
            LinuxFiles.setXattr(su, "trusted.note", BINARY);
            // cap_net_raw+ep, as setcap writes it (vfs_cap_data revision 2)
            LinuxFiles.setXattr(tool, "security.capability", capability());
            LinuxFiles.setXattr(bin.resolve("sh"), "trusted.on-symlink", "x".getBytes(StandardCharsets.UTF_8));
            run("mkfifo", "-m", "0620", src.resolve("pipe").toString());
            run("mknod", "-m", "0666", src.resolve("null").toString(), "c", "1", "3");
            run("mknod", "-m", "0660", src.resolve("loop9").toString(), "b", "7", "9");
            Files.setAttribute(su, "unix:uid", 1234);
            Files.setAttribute(su, "unix:gid", 5678);
            Files.setAttribute(shared, "unix:uid", 100000);
            Files.setAttribute(shared, "unix:gid", 200000);
            Files.setAttribute(bin.resolve("sh"), "unix:uid", 42, NOFOLLOW);
        }
        // modes after owners: chown clears setuid
        Files.setAttribute(tool, "unix:mode", 0755);
        Files.setAttribute(su, "unix:mode", 04711);
        Files.setAttribute(shared, "unix:mode", 02775);
        Files.setAttribute(secret, "unix:mode", 0);
        Files.setAttribute(src.resolve("srv"), "unix:mode", 01777);
        // times last, children before their directories
        for (Path p : List.of(tool, su, secret, locked.resolve("inside"))) {
            Files.setLastModifiedTime(p, FileTime.from(T1));
        }
        Files.getFileAttributeView(bin.resolve("sh"), java.nio.file.attribute.BasicFileAttributeView.class, NOFOLLOW)
                .setTimes(FileTime.from(T3), null, null);
        for (Path d : List.of(bin, shared, src.resolve("srv"), locked, src)) {
            Files.setLastModifiedTime(d, FileTime.from(T2));
        }
        Files.setAttribute(locked, "unix:mode", 0500);
        Map<String, String> expected = describe(src, root);

        Path aci = tmp.resolve("fidelity.aci");
        run("tar", "--format=posix", "--xattrs", "--xattrs-include=*", "--numeric-owner",
                "-C", layout.toString(), "-cf", aci.toString(), "manifest", "rootfs");
        ImageStore store = ImageStore.open(tmp.resolve("data"));
        StoredImage image = AciFixturesTest.importFile(store, aci);
        Path rootfs = store.render(image.id());

        assertEquals(expected, describe(rootfs, root));
        assertEquals(Files.getAttribute(rootfs.resolve("bin/su"), "unix:ino"), Files.getAttribute(rootfs.resolve("bin/su-link"), "unix:ino"));
        assertEquals(2, Files.getAttribute(rootfs.resolve("bin/su"), "unix:nlink"));
        // the listing compared them; these say plainly what it covered
        assertTrue(Arrays.equals(BINARY, xattr(rootfs.resolve("bin/tool"), "user.binary")));
        assertEquals(04711, (Integer) Files.getAttribute(rootfs.resolve("bin/su"), "unix:mode") & 07777);
        assertEquals(FileTime.from(T2), Files.getLastModifiedTime(rootfs.resolve("srv/shared")));
    }

    @Test
    void render_setuidBinary_keptButOutOfReachOfUnprivilegedUsers() throws Exception {
        assumeTrue(TarExtractor.runningAsRoot(), "switching to an unprivileged user needs root");
        // every directory down to the store can be walked by anyone, so only cas/tree stands in the way
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path data = tmp.resolve("data");
        ImageStore store = ImageStore.open(data);
        StoredImage image = AciBuilder.image("example.com/setuid").file("bin/su", new byte[] {1}, 04755).importInto(store);
        Path su = store.render(image.id()).resolve("bin/su");
        Path trees = data.resolve("cas/tree");

        assertEquals(04755, (Integer) Files.getAttribute(su, "unix:mode") & 07777);
        assertEquals(0700, (Integer) Files.getAttribute(trees, "unix:mode") & 07777);
        assertEquals(0, Files.getAttribute(trees, "unix:uid"));
        assertEquals(1, asNobody("test", "-e", su.toString()), "nobody must not even see the setuid binary");

        // the same check with cas/tree opened up: proves the check above can fail
        Files.setAttribute(trees, "unix:mode", 0755);
        assertEquals(0, asNobody("test", "-x", su.toString()), "with cas/tree 0755 anyone could run the setuid binary");
        // and a store found that way is closed again when opened
        ImageStore.open(data);
        assertEquals(0700, (Integer) Files.getAttribute(trees, "unix:mode") & 07777);
        assertEquals(1, asNobody("test", "-e", su.toString()));
    }

    @Test
    void open_newStore_treeDirectoryIsPrivate() throws Exception {
        ImageStore.open(tmp.resolve("data"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("data/cas/tree"))));
    }

    /** Path to "type mode uid:gid mtime [target|rdev] xattrs", for every path below {@code root}. */
    private static Map<String, String> describe(Path root, boolean withOwners) throws IOException {
        Map<String, String> listing = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                int mode = (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW);
                StringBuilder sb = new StringBuilder(String.format("%06o", mode));
                if (withOwners) {
                    sb.append(' ').append(Files.getAttribute(p, "unix:uid", NOFOLLOW)).append(':').append(Files.getAttribute(p, "unix:gid", NOFOLLOW));
                }
                sb.append(' ').append(Files.getLastModifiedTime(p, NOFOLLOW).toInstant());
                if (Files.isSymbolicLink(p)) {
                    sb.append(" -> ").append(Files.readSymbolicLink(p));
                } else if ((mode & 0170000) == 0020000 || (mode & 0170000) == 0060000) {
                    sb.append(" rdev ").append(Files.getAttribute(p, "unix:rdev", NOFOLLOW));
                } else if (Files.isRegularFile(p, NOFOLLOW)) {
                    sb.append(" size ").append(Files.size(p));
                }
                for (String name : xattrNames(p)) {
                    sb.append(' ').append(name).append('=').append(Arrays.toString(xattr(p, name)));
                }
                listing.put(root.relativize(p).toString(), sb.toString());
            }
        }
        return listing;
    }

    private static List<String> xattrNames(Path p) {
        byte[] list = new byte[4096];
        long n = LIBC.llistxattr(cString(p), list, list.length);
        List<String> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (list[i] == 0) {
                names.add(new String(list, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        names.sort(null);
        return names;
    }

    private static byte[] xattr(Path p, String name) {
        byte[] value = new byte[65536];
        long n = LIBC.lgetxattr(cString(p), (name + "\0").getBytes(StandardCharsets.UTF_8), value, value.length);
        return Arrays.copyOf(value, (int) n);
    }

    private static byte[] cString(Path p) {
        byte[] b = p.toString().getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(b, b.length + 1);
    }

    /** vfs_cap_data, revision 2: permitted and effective CAP_NET_RAW (13). */
    private static byte[] capability() {
        ByteBuffer b = ByteBuffer.allocate(20).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x02000000 | 0x1); // VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE
        b.putInt(1 << 13).putInt(0).putInt(0).putInt(0);
        return b.array();
    }

    private static int asNobody(String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return p.exitValue();
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
    }
}
