package dev.rktj.kernel.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.testing.AciBuilder;
import dev.rktj.kernel.testing.StoreSnapshot;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the {@code rkt image} commands read out of the store: archives, manifests, tree sizes and rendered copies. */
class ImageStoreReadOutTest {

    @TempDir
    Path data;

    private static AciBuilder tree() {
        return AciBuilder.image("example.com/tree").exec("/bin/app")
                .file("bin/app", "#!/bin/sh\n".repeat(100)).file("etc/conf", "x")
                .symlink("bin/sh", "app").hardlink("bin/app2", "bin/app").dir("var/empty", 01777);
    }

    @Test
    void openBlobAndManifestJson_returnWhatWasImported() throws Exception {
        ImageStore store = ImageStore.open(data);
        AciBuilder b = tree();
        StoredImage image = b.importInto(store);
        try (InputStream in = store.openBlob(image.id())) {
            assertArrayEquals(b.toBytes(), in.readAllBytes());
        }
        assertEquals(b.manifest(), new String(store.manifestJson(image.id()), StandardCharsets.UTF_8));
        ImageId absent = ImageId.parse("sha512-" + "cd".repeat(32));
        assertEquals("no image with ID " + absent + " in the store", assertThrows(ImageException.class, () -> store.openBlob(absent)).getMessage());
        assertEquals("no image with ID " + absent + " in the store", assertThrows(ImageException.class, () -> store.manifestJson(absent)).getMessage());
    }

    @Test
    void treeSize_notRendered_zeroAndNothingWritten() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = tree().importInto(store);
        var before = StoreSnapshot.of(data.resolve("cas/tree"));
        assertFalse(store.isRendered(image.id()));
        assertEquals(0, store.treeSize(image.id()));
        assertEquals(before, StoreSnapshot.of(data.resolve("cas/tree")));
    }

    @Test
    void treeSize_rendered_everyEntrysOwnSizeCountedOnceAndKept() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = tree().importInto(store);
        Path rootfs = store.render(image.id());
        assertTrue(store.isRendered(image.id()));
        long expected;
        try (Stream<Path> all = Files.walk(rootfs)) {
            expected = all.mapToLong(p -> {
                try {
                    return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum();
        }

        assertEquals(expected, store.treeSize(image.id()));

        Path kept = rootfs.getParent().resolve("size");
        assertEquals(Long.toString(expected), Files.readString(kept));
        // the kept count is what later calls answer: no walk of a big tree on every prepare
        Files.writeString(kept, "12345");
        assertEquals(12345, store.treeSize(image.id()));
        store.remove(image.id());
        assertFalse(Files.exists(kept));
    }

    @Test
    void copyRendered_keepsModesLinksAndHardLinks() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = tree().importInto(store);
        Path out = data.resolve("out");

        store.copyRendered(image.id(), out);

        assertEquals(StoreSnapshot.of(store.render(image.id())), StoreSnapshot.of(out));
        assertEquals(Path.of("app"), Files.readSymbolicLink(out.resolve("bin/sh")));
        assertEquals(Files.getAttribute(out.resolve("bin/app"), "unix:ino"), Files.getAttribute(out.resolve("bin/app2"), "unix:ino"));
        assertEquals(01777, (Integer) Files.getAttribute(out.resolve("var/empty"), "unix:mode") & 07777);
        assertEquals(Files.getLastModifiedTime(store.render(image.id()).resolve("etc/conf")), Files.getLastModifiedTime(out.resolve("etc/conf")));
    }

    @Test
    void copyRendered_targetExists_refusedAndLeftAlone() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = tree().importInto(store);
        Path out = Files.createDirectories(data.resolve("out/rootfs"));
        Files.writeString(out.resolve("mine"), "keep");

        ImageException e = assertThrows(ImageException.class, () -> store.copyRendered(image.id(), out));

        assertTrue(e.getMessage().startsWith("cannot copy the rendered image " + image.id()), e.getMessage());
        assertEquals("keep", Files.readString(out.resolve("mine")));
        assertFalse(Files.exists(out.resolve("bin")));
    }
}
