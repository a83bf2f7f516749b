package dev.rktj.kernel;

import dev.rktj.kernel.LocalImages.Verified;
import dev.rktj.kernel.event.EventCodec;
import dev.rktj.kernel.event.ImageRemoved;
import dev.rktj.kernel.event.KernelEvent;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.stream.Collectors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.event.ImageRendered;
import dev.rktj.kernel.image.ImageStore;
import dev.rktj.kernel.image.StoredImage;
import dev.rktj.kernel.pod.PodLock;
import dev.rktj.kernel.testing.AciBuilder;
import dev.rktj.kernel.testing.StoreSnapshot;
import dev.rktj.kernel.view.ImagesView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code rkt image} operations against a real store and journal. */
class LocalImagesTest {

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
        return AciBuilder.image(name).exec("/bin/app").file("bin/app", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8), 0755).symlink("bin/sh", "app");
    }

    private List<String> journalTypes() throws Exception {
        List<String> types = new ArrayList<>();
        kernel.journal().readAll(e -> types.add(e.type()));
        return types;
    }

    /** A pod directory whose manifest names the image, as prepare leaves one. */
    private Path pod(String stateDir, StoredImage image) throws Exception {
        Path dir = Files.createDirectories(data.resolve("pods").resolve(stateDir).resolve(UUID.randomUUID().toString()));
        Files.writeString(dir.resolve("pod"), "{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",\"apps\":[{\"name\":\"a\","
                + "\"image\":{\"id\":\"" + image.id() + "\"},\"app\":{\"exec\":[\"/bin/app\"],\"user\":\"0\",\"group\":\"0\"}}]}");
        Files.createFile(dir.resolve(PodLock.FILE));
        return dir;
    }

    @Test
    void find_idPrefixNameVersionAndLabels() throws Exception {
        StoredImage v1 = add(app("example.com/app").label("version", "1").label("env", "prod"));
        StoredImage v2 = add(app("example.com/app").label("version", "2"));
        LocalImages images = kernel.localImages();
        assertEquals(v1, images.find(v1.id().shortId()));
        assertEquals(v1, images.find(v1.id().toString().toUpperCase()));
        assertEquals(v2, images.find("example.com/app"));
        assertEquals(v1, images.find("example.com/app:1"));
        assertEquals(v1, images.find("example.com/app,env=prod"));
        assertEquals("cannot find aci satisfying name: \"example.com/app\" and labels: [\"version\":\"2\", \"os\":\"linux\", \"arch\":\""
                        + dev.rktj.kernel.appc.Appc.HOST_ARCH + "\", \"env\":\"prod\"] in the local store",
                assertThrows(KernelException.class, () -> images.find("example.com/app:2,env=prod")).getMessage());
        assertEquals("image ID too short", assertThrows(KernelException.class, () -> images.find("sha512-a")).getMessage());
        assertEquals("image ID or name cannot be empty", assertThrows(KernelException.class, () -> images.find("")).getMessage());
    }

    @Test
    void remove_byNameAndId_everythingGoneAndRecorded() throws Exception {
        StoredImage a = add(app("example.com/a"));
        StoredImage b = add(app("example.com/b"));
        StoredImage keep = add(app("example.com/keep"));
        kernel.store().render(a.id());
        var kept = StoreSnapshot.of(kernel.store().render(keep.id()));

        assertTrue(kernel.localImages().remove(List.of("example.com/a", b.id().shortId(), a.id().toString()), log));

        assertEquals(List.of("successfully removed aci for image: \"" + a.id() + "\"", "successfully removed aci for image: \"" + b.id() + "\""), out);
        assertEquals(List.of("2 image(s) successfully removed"), err);
        assertEquals(List.of(keep), kernel.store().list());
        assertEquals(kept, StoreSnapshot.of(kernel.store().render(keep.id())));
        try (var trees = Files.list(data.resolve("cas/tree"))) {
            assertEquals(1, trees.count(), "only the kept image's tree is left");
        }
        assertEquals(List.of("ImageRemoved", "ImageRemoved"), journalTypes());
        assertFalse(Files.exists(data.resolve("cas/imageManifest/sha512").resolve(a.id().hex().substring(0, 2)).resolve(a.id().toString())));
    }

    @Test
    void remove_unknownImage_oneLineFalseAndNothingChanged() throws Exception {
        add(app("example.com/a"));
        var before = StoreSnapshot.of(data.resolve("cas"));

        assertFalse(kernel.localImages().remove(List.of("example.com/nope"), log));

        assertEquals(List.of(), out);
        assertEquals(1, err.size(), err.toString());
        assertTrue(err.get(0).startsWith("cannot find aci satisfying name: \"example.com/nope\""), err.get(0));
        assertEquals(before, StoreSnapshot.of(data.resolve("cas")));
        assertEquals(List.of(), journalTypes());
    }

    @Test
    void remove_someArgumentsBad_theOthersRemovedAndFalse() throws Exception {
        StoredImage a = add(app("example.com/a"));
        String other = a.id().hex().startsWith("00") ? "sha512-11" : "sha512-00";

        assertFalse(kernel.localImages().remove(List.of(other, "example.com/a"), log));

        assertEquals(List.of("successfully removed aci for image: \"" + a.id() + "\""), out);
        assertEquals(List.of("no image IDs found", "1 image(s) successfully removed", "1 image(s) cannot be removed"), err);
        assertEquals(List.of(), kernel.store().list());
    }

    @Test
    void remove_imageOfAPreparedOrRunningPod_refusedNamingThePod() throws Exception {
        StoredImage prepared = add(app("example.com/prepared"));
        StoredImage running = add(app("example.com/running"));
        StoredImage exited = add(app("example.com/exited"));
        Path preparedPod = pod("prepared", prepared);
        Path runningPod = pod("run", running);
        pod("run", exited);
        var before = StoreSnapshot.of(data.resolve("cas/blob"));
        try (PodLock lock = PodLock.tryAcquire(runningPod)) {
            assertFalse(kernel.localImages().remove(List.of("example.com/prepared", "example.com/running"), log));
            assertEquals(List.of(
                    "error removing aci for image \"" + prepared.id() + "\" (\"example.com/prepared\"): it is needed by prepared pod \""
                            + preparedPod.getFileName() + "\"; remove the pod first",
                    "error removing aci for image \"" + running.id() + "\" (\"example.com/running\"): it is needed by running pod \""
                            + runningPod.getFileName() + "\"; remove the pod first",
                    "2 image(s) cannot be removed"), err);
        }
        assertEquals(before, StoreSnapshot.of(data.resolve("cas/blob")));
        assertEquals(List.of(), journalTypes());
        // a pod in run/ whose lock is free has exited and needs its image no more
        assertTrue(kernel.localImages().remove(List.of("example.com/exited"), log));
    }

    @Test
    void export_writesTheStoredArchive_refusesAnExistingFileUnlessOverwrite() throws Exception {
        AciBuilder b = app("example.com/a").compression(AciBuilder.Compression.GZIP);
        StoredImage a = add(b);
        Path file = base.resolve("a.aci");

        kernel.localImages().export("example.com/a", file, false);

        assertArrayEquals(b.compression(AciBuilder.Compression.NONE).toBytes(), Files.readAllBytes(file), "exports are uncompressed");
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Files.writeString(file, "mine");
        assertEquals("output ACI file exists (try --overwrite)",
                assertThrows(KernelException.class, () -> kernel.localImages().export(a.id().shortId(), file, false)).getMessage());
        assertEquals("mine", Files.readString(file));
        kernel.localImages().export(a.id().shortId(), file, true);
        assertEquals(a.size(), Files.size(file));
        try (var left = Files.list(base)) {
            assertEquals(List.of("a.aci", "data"), left.map(p -> p.getFileName().toString()).sorted().toList(), "no temp file left");
        }
    }

    @Test
    void export_damagedBlob_refusedAndNoFileWritten() throws Exception {
        StoredImage a = add(app("example.com/a"));
        Path blob = data.resolve("cas/blob/sha512").resolve(a.id().hex().substring(0, 2)).resolve(a.id().toString());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length - 1] ^= 1;
        Files.write(blob, bytes);
        Path file = base.resolve("a.aci");

        KernelException e = assertThrows(KernelException.class, () -> kernel.localImages().export("example.com/a", file, false));

        assertEquals("the stored archive of image " + a.id() + " is damaged: its digest does not match", e.getMessage());
        try (var left = Files.list(base)) {
            assertEquals(List.of("data"), left.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void extract_ownFilesAsManifestAndRootfs_orRootfsOnly() throws Exception {
        AciBuilder b = app("example.com/a").file("etc/conf", "x");
        add(b);
        Path dir = base.resolve("out/a");

        kernel.localImages().extract("example.com/a", dir, false, false);

        assertEquals(b.manifest(), Files.readString(dir.resolve("manifest")));
        assertEquals("x", Files.readString(dir.resolve("rootfs/etc/conf")));
        assertEquals(Path.of("app"), Files.readSymbolicLink(dir.resolve("rootfs/bin/sh")));
        assertEquals("output directory exists (try --overwrite)",
                assertThrows(KernelException.class, () -> kernel.localImages().extract("example.com/a", dir, true, false)).getMessage());
        assertTrue(Files.exists(dir.resolve("manifest")));

        kernel.localImages().extract("example.com/a", dir, true, true);

        assertEquals("x", Files.readString(dir.resolve("etc/conf")));
        assertFalse(Files.exists(dir.resolve("manifest")));
        try (var left = Files.list(dir.getParent())) {
            assertEquals(List.of("a"), left.map(p -> p.getFileName().toString()).toList(), "no temp directory left");
        }
        assertEquals(List.of(), journalTypes());
    }

    @Test
    void extract_overwriteOfTheDataDirectorysParent_refused() throws Exception {
        add(app("example.com/a"));
        var before = StoreSnapshot.of(data);
        KernelException e = assertThrows(KernelException.class, () -> kernel.localImages().extract("example.com/a", base, false, true));
        assertEquals("refusing to overwrite " + base + ": it holds rkt's data directory " + data, e.getMessage());
        assertEquals(before, StoreSnapshot.of(data));
    }

    @Test
    void render_copiesTheTreeAndRecordsTheRenderOnce() throws Exception {
        StoredImage a = add(app("example.com/a"));
        Path dir = base.resolve("r");

        kernel.localImages().render("example.com/a", dir, false, false);
        kernel.localImages().render("example.com/a", dir, true, true);

        assertEquals(StoreSnapshot.of(kernel.store().render(a.id())), StoreSnapshot.of(dir));
        assertEquals(List.of("ImageRendered"), journalTypes());
        ImageStore store = kernel.store();
        List<ImageRendered> rendered = new ArrayList<>();
        kernel.journal().readAll(e -> rendered.add((ImageRendered) dev.rktj.kernel.event.EventCodec.decode(e)));
        assertEquals(new ImageRendered(a.id().toString(), store.render(a.id()).getParent().getFileName().toString(), store.treeSize(a.id())),
                rendered.get(0));
        assertTrue(rendered.get(0).treeSize() > 0);
    }

    @Test
    void render_outputExists_refusedBeforeRendering() throws Exception {
        StoredImage a = add(app("example.com/a"));
        Path dir = Files.createDirectories(base.resolve("r"));
        assertEquals("output directory exists (try --overwrite)",
                assertThrows(KernelException.class, () -> kernel.localImages().render("example.com/a", dir, false, false)).getMessage());
        assertFalse(kernel.store().isRendered(a.id()));
        assertEquals(List.of(), journalTypes());
        // once rendered, image list counts the archive and the tree
        kernel.journal().append(new dev.rktj.kernel.event.ImageFetched(a.id().toString(), a.name(), a.labels(), "x", a.size(), null));
        kernel.localImages().render("example.com/a", dir, false, true);
        ImagesView.Image i = kernel.journal().images().all().get(0);
        assertTrue(kernel.store().treeSize(a.id()) > 0);
        assertEquals(a.size() + kernel.store().treeSize(a.id()), i.totalSize());
        assertEquals(List.of("ImageFetched", "ImageRendered"), journalTypes());
    }

    @Test
    void podManifest_byUuidPrefix() throws Exception {
        StoredImage a = add(app("example.com/a"));
        Path pod = pod("prepared", a);
        byte[] m = kernel.pods().manifest(pod.getFileName().toString().substring(0, 8));
        assertArrayEquals(Files.readAllBytes(pod.resolve("pod")), m);
        assertTrue(new String(m, StandardCharsets.UTF_8).contains(a.id().toString()));
        assertEquals("no matches found for \"ffffffff\"",
                assertThrows(KernelException.class, () -> kernel.pods().manifest("ffffffff")).getMessage());
    }

    // ---------------------------------------------------------------- image gc and image verify

    /** An image with a config file too, for the gc and verify tests. */
    private static AciBuilder appWithConf(String name) {
        return app(name).file("etc/conf", "x=1\n");
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
        StoredImage base1 = add(appWithConf("example.com/base").label("version", "1"));
        StoredImage app = add(appWithConf("example.com/app").dependency("example.com/base"));
        StoredImage junk = add(appWithConf("example.com/junk"));
        StoredImage gone = add(appWithConf("example.com/gone"));
        StoredImage running = add(appWithConf("example.com/running"));
        kernel.store().render(app.id());
        kernel.store().render(junk.id());
        kernel.store().render(running.id());
        String appTree = kernel.store().treeIdOf(app.id());
        // a newer base: app now renders over it, and its old tree is needed by no image
        StoredImage base2 = add(appWithConf("example.com/base").label("version", "2"));
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
        StoredImage a = add(appWithConf("example.com/a"));
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
        StoredImage a = add(appWithConf("example.com/a"));
        StoredImage b = add(appWithConf("example.com/b"));
        kernel.store().render(a.id());

        List<Verified> v = kernel.localImages().verify(List.of(), log);

        assertEquals(List.of("ok", "not rendered"), v.stream().map(Verified::status).toList());
        assertEquals(List.of(a, b), v.stream().map(Verified::image).toList());
        assertTrue(Files.readString(kernel.store().render(a.id()).resolveSibling("hash")).matches("sha512-[0-9a-f]{128}\n"));
    }

    @Test
    void verify_damagedTree_rebuiltAndRecorded() throws Exception {
        StoredImage a = add(appWithConf("example.com/a"));
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
        StoredImage a = add(appWithConf("example.com/a"));
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
        add(appWithConf("example.com/a"));
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
