package dev.rktj.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.LocalImages.Verified;
import dev.rktj.kernel.event.EventCodec;
import dev.rktj.kernel.event.ImageRemoved;
import dev.rktj.kernel.event.ImageRendered;
import dev.rktj.kernel.event.KernelEvent;
import dev.rktj.kernel.image.StoredImage;
import dev.rktj.kernel.pod.PodLock;
import dev.rktj.kernel.testing.AciBuilder;
import dev.rktj.kernel.testing.StoreSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rkt image gc} and {@code rkt image verify} against a real store, pods directory and journal. */
class ImageGcTest {

    @TempDir
    Path base;
    Path data;
    Kernel kernel;
    final List<String> out = new ArrayList<>();
    final List<String> err = new ArrayList<>();
    final UserLog log = new UserLog() {
        @Override public void out(String line) { out.add(line); }
        @Override public void err(String line) { err.add(line); }
        @Override public void debug(String line) { }
    };

    @BeforeEach
    void openKernel() throws Exception {
        data = Files.createDirectories(base.resolve("data"));
        kernel = new Kernel(new KernelConfig(data, base.resolve("etc"), base.resolve("lib"), List.of(), Set.of(), false, null), null);
    }

    @AfterEach
    void closeKernel() {
        kernel.close();
    }

    private StoredImage add(AciBuilder b) throws Exception {
        Thread.sleep(3); // import times are kept to the millisecond: keep them ordered
        return b.importInto(kernel.store());
    }

    private static AciBuilder app(String name) {
        return AciBuilder.image(name).exec("/bin/app").file("bin/app", ("#!/bin/sh\necho " + name + "\n").getBytes(StandardCharsets.UTF_8), 0755)
                .file("etc/conf", "x=1\n").symlink("bin/sh", "app");
    }

    /** A pod directory in {@code stateDir} whose manifest names the image, as prepare leaves one. */
    private Path pod(String stateDir, StoredImage image) throws Exception {
        Path dir = Files.createDirectories(data.resolve("pods").resolve(stateDir).resolve(UUID.randomUUID().toString()));
        Files.writeString(dir.resolve("pod"), "{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",\"apps\":[{\"name\":\"a\","
                + "\"image\":{\"id\":\"" + image.id() + "\"},\"app\":{\"exec\":[\"/bin/app\"],\"user\":\"0\",\"group\":\"0\"}}]}");
        Files.createFile(dir.resolve(PodLock.FILE));
        return dir;
    }

    private List<KernelEvent> journal() throws Exception {
        List<KernelEvent> events = new ArrayList<>();
        kernel.journal().readAll(e -> events.add(EventCodec.decode(e)));
        return events;
    }

    private Set<String> trees() throws Exception {
        try (var s = Files.list(data.resolve("cas/tree"))) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static String removed(StoredImage i) {
        return "successfully removed aci for image: \"" + i.id() + "\"";
    }

    @Test
    void gc_removesUnneededTreesThenUnusedImages_keepsPodsImagesAndTheirDependencies() throws Exception {
        StoredImage base1 = add(app("example.com/base").label("version", "1"));
        StoredImage app = add(app("example.com/app").dependency("example.com/base"));
        StoredImage junk = add(app("example.com/junk"));
        StoredImage gone = add(app("example.com/gone"));
        StoredImage running = add(app("example.com/running"));
        kernel.store().render(app.id());
        kernel.store().render(junk.id());
        kernel.store().render(running.id());
        String appTree = kernel.store().treeIdOf(app.id());
        // a newer base: app now renders over it, and its old tree is needed by no image
        StoredImage base2 = add(app("example.com/base").label("version", "2"));
        String appTree2 = kernel.store().treeIdOf(app.id());
        kernel.store().render(gone.id());
        String goneTree = kernel.store().treeIdOf(gone.id());
        Files.delete(data.resolve("cas/db/images").resolve(gone.id() + ".json")); // a tree whose image record is gone
        Path leftover = Files.createDirectories(data.resolve("cas/tree/tmp-12345/rootfs"));
        pod("prepared", app);
        Path runPod = pod("run", running);

        try (PodLock lock = PodLock.tryAcquire(runPod)) {
            assertTrue(kernel.localImages().gc(Duration.ZERO, log), err.toString());
        }

        assertEquals(Set.of("removed treestore \"" + appTree + "\"", "removed treestore \"" + goneTree + "\"",
                "removed treestore \"tmp-12345\""), new HashSet<>(err.subList(0, 3)));
        assertEquals(List.of("2 image(s) successfully removed"), err.subList(3, err.size()));
        assertFalse(appTree.equals(appTree2));
        assertEquals(List.of(removed(base1), removed(junk)), out, "oldest use first");
        assertFalse(Files.exists(leftover));
        assertEquals(Set.of(app.id(), base2.id(), running.id()),
                kernel.store().list().stream().map(StoredImage::id).collect(Collectors.toSet()));
        assertEquals(Set.of(kernel.store().treeIdOf(running.id())), trees(), "junk's tree went with junk");
        assertEquals(List.of(new ImageRemoved(base1.id().toString()), new ImageRemoved(junk.id().toString())), journal());
    }

    @Test
    void gc_gracePeriod_keepsImagesUsedWithinIt() throws Exception {
        StoredImage a = add(app("example.com/a"));
        kernel.store().render(a.id());
        var before = StoreSnapshot.of(data.resolve("cas"));

        assertTrue(kernel.localImages().gc(Duration.ofHours(24), log));

        assertEquals(List.of(), out);
        assertEquals(List.of(), err);
        assertEquals(before, StoreSnapshot.of(data.resolve("cas")));
        assertEquals(List.of(), journal());

        Thread.sleep(20);
        assertTrue(kernel.localImages().gc(Duration.ofMillis(10), log));
        assertEquals(List.of(removed(a)), out);
    }

    @Test
    void verify_intactTrees_okAndNotRenderedSaidSo() throws Exception {
        StoredImage a = add(app("example.com/a"));
        StoredImage b = add(app("example.com/b"));
        kernel.store().render(a.id());

        List<Verified> v = kernel.localImages().verify(List.of(), log);

        assertEquals(List.of("ok", "not rendered"), v.stream().map(Verified::status).toList());
        assertEquals(List.of(a, b), v.stream().map(Verified::image).toList());
        assertTrue(Files.readString(kernel.store().render(a.id()).resolveSibling("hash")).matches("sha512-[0-9a-f]{128}\n"));
    }

    @Test
    void verify_damagedTree_rebuiltAndRecorded() throws Exception {
        StoredImage a = add(app("example.com/a"));
        Path rootfs = kernel.store().render(a.id());
        var intact = StoreSnapshot.of(rootfs);
        for (Runnable damage : List.<Runnable>of(
                () -> write(rootfs.resolve("etc/conf"), "x=2\n"),
                () -> chmod(rootfs.resolve("bin/app"), "rwxrwxrwx"),
                () -> write(rootfs.resolve("etc/extra"), ""),
                () -> delete(rootfs.resolve("bin/sh")))) {
            damage.run();
            out.clear();
            List<Verified> v = kernel.localImages().verify(List.of("example.com/a"), log);
            assertEquals(List.of(new Verified(a, "damaged, rebuilt", true, true)), v);
            assertEquals(intact, StoreSnapshot.of(rootfs));
            assertEquals("ok", kernel.localImages().verify(List.of(), log).get(0).status());
        }
        assertEquals(4, journal().stream().filter(e -> e instanceof ImageRendered).count());
    }

    @Test
    void verify_damagedTreeOfARunningPod_notRebuiltNamingThePod() throws Exception {
        StoredImage a = add(app("example.com/a"));
        Path rootfs = kernel.store().render(a.id());
        Path runPod = pod("run", a);
        write(rootfs.resolve("etc/conf"), "x=2\n");

        List<Verified> v;
        try (PodLock lock = PodLock.tryAcquire(runPod)) {
            v = kernel.localImages().verify(List.of(a.id().shortId()), log);
        }

        assertEquals(List.of(new Verified(a, "damaged, not rebuilt: in use by running pod \"" + runPod.getFileName() + "\"", true, false)), v);
        assertEquals("x=2\n", Files.readString(rootfs.resolve("etc/conf")));
        assertEquals(List.of(), journal());
    }

    @Test
    void verify_unknownImage_oneLineAndNothingChanged() throws Exception {
        add(app("example.com/a"));
        var before = StoreSnapshot.of(data.resolve("cas"));
        assertEquals("cannot find aci satisfying name: \"example.com/nope\" and labels: [\"os\":\"linux\", \"arch\":\""
                        + dev.rktj.kernel.appc.Appc.HOST_ARCH + "\"] in the local store",
                assertThrows(KernelException.class, () -> kernel.localImages().verify(List.of("example.com/nope"), log)).getMessage());
        assertEquals(before, StoreSnapshot.of(data.resolve("cas")));
    }

    private static void write(Path p, String s) {
        try {
            Files.writeString(p, s, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void chmod(Path p, String mode) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
