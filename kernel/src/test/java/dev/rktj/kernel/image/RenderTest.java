package dev.rktj.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rktj.kernel.testing.AciBuilder;
import dev.rktj.kernel.testing.StoreSnapshot;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderTest {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final Instant T1 = Instant.parse("2001-02-03T04:05:06Z");
    private static final Instant T2 = Instant.parse("2011-12-13T14:15:16Z");

    @TempDir
    Path data;

    private static AciBuilder image() {
        return AciBuilder.image("example.com/render");
    }

    private static int mode(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW) & 07777;
    }

    private static Instant mtime(Path p) throws Exception {
        return Files.getLastModifiedTime(p, NOFOLLOW).toInstant();
    }

    @Test
    void render_modes_keptIncludingSetuidSetgidSticky() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = image()
                .file("bin/tool", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8), 0755)
                .file("bin/su", new byte[] {1}, 04755)
                .file("bin/wall", new byte[] {2}, 02755)
                .file("etc/shadow", new byte[] {'x'}, 0).file("etc/secret", new byte[] {3}, 0600)
                .dir("tmp", 01777).dir("locked", 0500).file("locked/inside", "kept")
                .importInto(store);

        Path rootfs = store.render(image.id());

        assertEquals(0755, mode(rootfs.resolve("bin/tool")));
        assertEquals(04755, mode(rootfs.resolve("bin/su")));
        assertEquals(02755, mode(rootfs.resolve("bin/wall")));
        assertEquals(0, mode(rootfs.resolve("etc/shadow")));
        assertEquals(0600, mode(rootfs.resolve("etc/secret")));
        assertEquals(01777, mode(rootfs.resolve("tmp")));
        assertEquals(0500, mode(rootfs.resolve("locked")));
        assertEquals("kept", Files.readString(rootfs.resolve("locked/inside")));
        assertEquals(0755, mode(rootfs));
        assertEquals(0755, mode(rootfs.resolve("etc")));
    }

    @Test
    void render_mtimes_keptForFilesDirectoriesAndSymlinks() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = image()
                .modTime(T1).dir("etc").symlink("etc/link", "hosts")
                .modTime(T2).file("etc/hosts", "127.0.0.1 localhost\n")
                .importInto(store);

        Path rootfs = store.render(image.id());

        // The directory's mtime is applied after its content was written.
        assertEquals(T1, mtime(rootfs.resolve("etc")));
        assertEquals(T1, mtime(rootfs.resolve("etc/link")));
        assertEquals(T2, mtime(rootfs.resolve("etc/hosts")));
        assertEquals(AciBuilder.DEFAULT_MTIME, mtime(rootfs));
    }

    @Test
    void render_symlinks_targetsVerbatimAndNeverFollowed() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = image()
                .symlink("etc/passwd", "/nonexistent/passwd")
                .symlink("up", "../../..")
                .symlink("bin/sh", "busybox")
                .file("bin/busybox", new byte[] {7}, 0755)
                .importInto(store);

        Path rootfs = store.render(image.id());

        assertEquals(Path.of("/nonexistent/passwd"), Files.readSymbolicLink(rootfs.resolve("etc/passwd")));
        assertEquals(Path.of("../../.."), Files.readSymbolicLink(rootfs.resolve("up")));
        assertEquals(Path.of("busybox"), Files.readSymbolicLink(rootfs.resolve("bin/sh")));
        assertEquals(0755, mode(rootfs.resolve("bin/busybox")));
    }

    @Test
    void render_namesLongerThanTheUstarField_extractedWhole() throws Exception {
        ImageStore store = ImageStore.open(data);
        String deep = "usr/share/" + "very-long-directory-name/".repeat(6) + "file-with-a-long-name.txt";
        String linkTarget = "/" + "x".repeat(150);
        StoredImage image = image().file(deep, "deep").symlink("long-link", linkTarget).importInto(store);

        Path rootfs = store.render(image.id());

        assertEquals("deep", Files.readString(rootfs.resolve(deep)));
        assertEquals(Path.of(linkTarget), Files.readSymbolicLink(rootfs.resolve("long-link")));
    }

    @Test
    void render_hardLinks_shareTheInode() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = image()
                .file("bin/busybox", "bb".getBytes(StandardCharsets.UTF_8), 04711)
                .hardlink("bin/ls", "bin/busybox")
                .hardlink("usr/bin/cat", "bin/ls")
                .importInto(store);

        Path rootfs = store.render(image.id());

        Object inode = Files.getAttribute(rootfs.resolve("bin/busybox"), "unix:ino");
        assertEquals(inode, Files.getAttribute(rootfs.resolve("bin/ls"), "unix:ino"));
        assertEquals(inode, Files.getAttribute(rootfs.resolve("usr/bin/cat"), "unix:ino"));
        assertEquals(3, Files.getAttribute(rootfs.resolve("bin/busybox"), "unix:nlink"));
        assertEquals(04711, mode(rootfs.resolve("bin/ls")));
    }

    @Test
    void render_asRoot_keepsNumericOwnersAndSetuidAfterChown() throws Exception {
        assumeTrue(TarExtractor.runningAsRoot(), "restoring owners needs root");
        ImageStore store = ImageStore.open(data);
        StoredImage image = image()
                .owner(1234, 5678).file("home/user/su", new byte[] {1}, 06755)
                .owner(1234, 5678).symlink("home/user/link", "su")
                .owner(4321, 8765).dir("home/user")
                .importInto(store);

        Path rootfs = store.render(image.id());

        assertEquals(1234, Files.getAttribute(rootfs.resolve("home/user/su"), "unix:uid", NOFOLLOW));
        assertEquals(5678, Files.getAttribute(rootfs.resolve("home/user/su"), "unix:gid", NOFOLLOW));
        assertEquals(06755, mode(rootfs.resolve("home/user/su")));
        assertEquals(1234, Files.getAttribute(rootfs.resolve("home/user/link"), "unix:uid", NOFOLLOW));
        assertEquals(4321, Files.getAttribute(rootfs.resolve("home/user"), "unix:uid", NOFOLLOW));
        assertEquals(8765, Files.getAttribute(rootfs.resolve("home/user"), "unix:gid", NOFOLLOW));
        assertEquals(0, Files.getAttribute(rootfs.resolve("home"), "unix:uid", NOFOLLOW));
    }

    @Test
    void render_asRoot_createsDeviceNodesAndFifos() throws Exception {
        assumeTrue(TarExtractor.runningAsRoot(), "mknod needs root");
        ImageStore store = ImageStore.open(data);
        StoredImage image = image()
                .modTime(T1).charDevice("dev/null", 1, 3, 0666).fifo("run/pipe", 0620)
                .importInto(store);

        Path rootfs = store.render(image.id());

        Path devNull = rootfs.resolve("dev/null");
        assertEquals(0020000, (Integer) Files.getAttribute(devNull, "unix:mode", NOFOLLOW) & 0170000);
        assertEquals((1L << 8) | 3, Files.getAttribute(devNull, "unix:rdev", NOFOLLOW));
        assertEquals(0666, mode(devNull));
        Path pipe = rootfs.resolve("run/pipe");
        assertEquals(0010000, (Integer) Files.getAttribute(pipe, "unix:mode", NOFOLLOW) & 0170000);
        assertEquals(0620, mode(pipe));
        assertEquals(T1, mtime(pipe));
    }

    @Test
    void render_secondCall_returnsTheSameTreeUntouched() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = image().file("a", "1").importInto(store);
        Path first = store.render(image.id());
        Path tree = first.getParent();
        FileTime marker = Files.getLastModifiedTime(tree.resolve("rendered"));
        var before = StoreSnapshot.of(tree);

        Path second = store.render(image.id());

        assertEquals(first, second);
        assertEquals(marker, Files.getLastModifiedTime(tree.resolve("rendered")));
        assertEquals(before, StoreSnapshot.of(tree));
        assertEquals(data.resolve("cas/tree").resolve(ImageStore.treeId(List.of(image.id()))).resolve("rootfs"), first);
        assertEquals(image.id() + "\n", Files.readString(tree.resolve("image")));
    }

    @Test
    void render_treeLeftWithoutMarker_isRenderedAfresh() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = image().file("a", "1").importInto(store);
        Path tree = store.treePath(image.id());
        Files.createDirectories(tree.resolve("rootfs"));
        Files.writeString(tree.resolve("rootfs/half-written"), "junk");

        Path rootfs = store.render(image.id());

        assertFalse(Files.exists(rootfs.resolve("half-written")));
        assertEquals("1", Files.readString(rootfs.resolve("a")));
    }

    @Test
    void render_manyThreadsAtOnce_oneTree() throws Exception {
        ImageStore store = ImageStore.open(data);
        AciBuilder builder = image();
        for (int i = 0; i < 200; i++) {
            builder.file("d" + (i % 10) + "/f" + i, "content " + i);
        }
        StoredImage image = builder.importInto(store);
        int threads = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                ImageStore own = i % 2 == 0 ? store : ImageStore.open(data);
                results.add(pool.submit((Callable<Path>) () -> {
                    start.await();
                    return own.render(image.id());
                }));
            }
            start.countDown();
            Path expected = results.get(0).get(60, TimeUnit.SECONDS);
            for (Future<Path> f : results) {
                assertEquals(expected, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertOneTree(image);
    }

    @Test
    void render_twoProcessesAndThisOneAtOnce_oneTree() throws Exception {
        ImageStore store = ImageStore.open(data);
        AciBuilder builder = image();
        for (int i = 0; i < 300; i++) {
            builder.file("d" + (i % 10) + "/f" + i, "content " + i);
        }
        StoredImage image = builder.importInto(store);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> children = new ArrayList<>();
        List<BufferedReader> outputs = new ArrayList<>();
        String treeId = ImageStore.treeId(List.of(image.id()));
        // Hold the tree lock until both children are about to render, so that they really contend.
        try (StoreLock held = StoreLock.acquire(store.treeLock(treeId))) {
            for (int i = 0; i < 2; i++) {
                Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                        RenderInAnotherProcess.class.getName(), data.toString(), image.id().toString())
                        .redirectErrorStream(true).start();
                children.add(child);
                outputs.add(new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)));
            }
            for (BufferedReader out : outputs) {
                assertEquals("ready", out.readLine());
            }
            Thread.sleep(300);
            assertFalse(Files.exists(store.treePath(image.id())));
        }
        Path here = store.render(image.id());
        for (int i = 0; i < children.size(); i++) {
            Process child = children.get(i);
            String out = outputs.get(i).lines().collect(Collectors.joining("\n"));
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue(), out);
            assertEquals(here.toString(), out);
        }
        assertOneTree(image);
    }

    @Test
    void render_unknownImage_refused() throws Exception {
        ImageStore store = ImageStore.open(data);
        ImageId id = ImageId.parse("sha512-" + "ab".repeat(32));
        ImageException e = assertThrows(ImageException.class, () -> store.render(id));
        assertEquals("no image with ID " + id + " in the store", e.getMessage());
    }

    private void assertOneTree(StoredImage image) throws Exception {
        try (Stream<Path> trees = Files.list(data.resolve("cas/tree"))) {
            assertEquals(List.of(ImageStore.treeId(List.of(image.id()))), trees.map(p -> p.getFileName().toString()).toList());
        }
        Path rootfs = data.resolve("cas/tree").resolve(ImageStore.treeId(List.of(image.id()))).resolve("rootfs");
        assertEquals("content 7", Files.readString(rootfs.resolve("d7/f7")));
    }
}
