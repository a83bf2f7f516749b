package dev.rktj.kernel.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.appc.Appc;
import dev.rktj.kernel.appc.ImageManifest;
import dev.rktj.kernel.spi.BlobDescriptor;
import dev.rktj.kernel.spi.FetchException;
import dev.rktj.kernel.testing.AciBuilder;
import dev.rktj.kernel.testing.AciBuilder.Compression;
import dev.rktj.kernel.testing.StoreSnapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreTest {

    @TempDir
    Path data;

    private static AciBuilder app(String name) {
        return AciBuilder.image(name).exec("/bin/app").file("bin/app", new byte[] {1, 2, 3}, 0755);
    }

    /** Imports with a pause, so that import times (kept to the millisecond) are strictly ordered. */
    private static StoredImage importInOrder(ImageStore store, AciBuilder builder) throws Exception {
        Thread.sleep(3);
        return builder.importInto(store);
    }

    @Test
    void open_freshDirectory_createsTheCasLayout() throws Exception {
        ImageStore.open(data);
        for (String dir : List.of("blob/sha512", "imageManifest/sha512", "db/images", "tree", "tmp", "locks")) {
            assertTrue(Files.isDirectory(data.resolve("cas").resolve(dir)), dir);
        }
    }

    @Test
    void commit_stagedImage_writesBlobManifestAndRecord() throws Exception {
        ImageStore store = ImageStore.open(data);
        byte[] aci = app("example.com/app").label("version", "1.0").toBytes();
        BlobDescriptor staged = store.stagingSink().write(new ByteArrayInputStream(aci));
        assertEquals(List.of(), store.list());

        StoredImage image = store.commit(staged, "file:///tmp/app.aci", "ABCD1234 <ops@example.com>");

        byte[] sha = MessageDigest.getInstance("SHA-512").digest(aci);
        assertEquals("sha512-" + HexFormat.of().formatHex(sha).substring(0, 64), staged.imageId());
        assertEquals(staged.imageId(), image.id().toString());
        assertEquals(aci.length, staged.size());
        assertEquals("example.com/app", image.name());
        assertEquals(Map.of("os", "linux", "arch", Appc.HOST_ARCH, "version", "1.0"), image.labels());
        assertEquals("file:///tmp/app.aci", image.source());
        assertEquals("ABCD1234 <ops@example.com>", image.signer());
        assertEquals(image.importTime(), image.lastUsed());
        String hex = image.id().hex();
        assertTrue(Files.isRegularFile(data.resolve("cas/blob/sha512/" + hex.substring(0, 2) + "/sha512-" + hex)));
        assertTrue(Files.isRegularFile(data.resolve("cas/imageManifest/sha512/" + hex.substring(0, 2) + "/sha512-" + hex)));
        assertTrue(Files.isRegularFile(data.resolve("cas/db/images/sha512-" + hex + ".json")));
        assertEquals(Optional.of(image), store.get(image.id()));
        assertEquals(Optional.of(image), ImageStore.open(data).get(image.id()));
        ImageManifest manifest = store.manifest(image.id());
        assertEquals(List.of("/bin/app"), manifest.app().exec());
    }

    @Test
    void write_anyCompression_sameIdAsThePlainTar() throws Exception {
        ImageStore store = ImageStore.open(data);
        AciBuilder builder = app("example.com/app");
        Set<String> ids = new HashSet<>();
        for (Compression c : Compression.values()) {
            BlobDescriptor d = store.stagingSink().write(new ByteArrayInputStream(builder.compression(c).toBytes()));
            ids.add(d.imageId());
            store.commit(d, c.name(), null);
        }
        assertEquals(1, ids.size());
        assertEquals(1, AciFixturesTest.filesUnder(data.resolve("cas/blob")).size());
        assertEquals("XZ", store.list().get(0).source());
    }

    @Test
    void write_manifestLast_accepted() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = app("example.com/last").manifestLast().importInto(store);
        assertEquals("example.com/last", image.name());
    }

    @Test
    void write_archiveMadeByGnuTarFromADirectory_importsAndRenders() throws Exception {
        Path layout = Files.createDirectories(data.resolve("layout"));
        Files.writeString(layout.resolve("manifest"), app("example.com/tarred").manifest());
        Path bin = Files.createDirectories(layout.resolve("rootfs/bin"));
        Files.writeString(bin.resolve("true"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(bin.resolve("true"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createLink(bin.resolve("true2"), bin.resolve("true"));
        Files.createSymbolicLink(bin.resolve("sh"), Path.of("true"));
        Path aci = data.resolve("tarred.aci");
        // "-C dir ." is how ACIs are usually packed by hand: names start with "./" and "./" itself is an entry.
        Process tar = new ProcessBuilder("tar", "-C", layout.toString(), "-czf", aci.toString(), ".").inheritIO().start();
        assertEquals(0, tar.waitFor());
        ImageStore store = ImageStore.open(data.resolve("store"));

        StoredImage image = AciFixturesTest.importFile(store, aci);
        Path rootfs = store.render(image.id());

        assertEquals("example.com/tarred", image.name());
        assertEquals(Files.getAttribute(rootfs.resolve("bin/true"), "unix:ino"), Files.getAttribute(rootfs.resolve("bin/true2"), "unix:ino"));
        assertEquals(Path.of("true"), Files.readSymbolicLink(rootfs.resolve("bin/sh")));
        assertEquals(0755, (Integer) Files.getAttribute(rootfs.resolve("bin/true"), "unix:mode") & 07777);
    }

    @Test
    void commit_again_refreshesImportTimeAndKeepsLastUsed() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage first = app("example.com/app").importInto(store);
        Thread.sleep(3);
        store.markUsed(first.id());
        StoredImage used = store.get(first.id()).orElseThrow();
        Thread.sleep(3);

        StoredImage second = app("example.com/app").importInto(store);

        assertTrue(second.importTime().isAfter(first.importTime()));
        assertEquals(used.lastUsed(), second.lastUsed());
        assertEquals(1, store.list().size());
    }

    @Test
    void commit_againUnverified_keepsTheSigner() throws Exception {
        ImageStore store = ImageStore.open(data);
        byte[] aci = app("example.com/app").toBytes();
        store.commit(store.stagingSink().write(new ByteArrayInputStream(aci)), "/a.aci", "0123456789abcdef0123456789abcdef01234567");

        StoredImage again = store.commit(store.stagingSink().write(new ByteArrayInputStream(aci)), "/b.aci", null);

        assertEquals("0123456789abcdef0123456789abcdef01234567", again.signer());
        assertEquals("/b.aci", again.source());
        assertEquals(again, store.get(again.id()).orElseThrow());
    }

    @Test
    void markUsed_storedImage_onlyLastUsedChanges() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = app("example.com/app").importInto(store);
        Thread.sleep(3);

        store.markUsed(image.id());

        StoredImage after = store.get(image.id()).orElseThrow();
        assertTrue(after.lastUsed().isAfter(image.lastUsed()));
        assertEquals(image.importTime(), after.importTime());
        assertEquals(image.source(), after.source());
    }

    @Test
    void discard_stagedImage_leavesNothing() throws Exception {
        ImageStore store = ImageStore.open(data);
        var before = StoreSnapshot.of(data);
        BlobDescriptor staged = store.stagingSink().write(new ByteArrayInputStream(app("example.com/app").toBytes()));
        assertEquals(1, AciFixturesTest.filesUnder(data.resolve("cas/tmp")).size());

        store.discard(staged);

        assertEquals(before, StoreSnapshot.of(data));
        ImageException e = assertThrows(ImageException.class, () -> store.commit(staged, "x", null));
        assertEquals("image " + staged.imageId() + " was not staged in this store, or was already committed", e.getMessage());
    }

    @Test
    void write_sourceFails_rethrowsItsIOExceptionAndLeavesNothing() throws Exception {
        ImageStore store = ImageStore.open(data);
        var before = StoreSnapshot.of(data);
        byte[] aci = app("example.com/app").compression(Compression.GZIP).toBytes();
        IOException broken = new IOException("connection reset by peer");
        InputStream source = new InputStream() {
            int served;

            @Override
            public int read() throws IOException {
                if (served >= aci.length / 2) {
                    throw broken;
                }
                return aci[served++] & 0xff;
            }
        };

        IOException e = assertThrows(IOException.class, () -> store.stagingSink().write(source));

        assertSame(broken, e);
        assertEquals(before, StoreSnapshot.of(data));
    }

    @Test
    void stagingSink_archiveCheck_seesEveryFetchedByteOnceThenTheManifest() throws Exception {
        ImageStore store = ImageStore.open(data);
        for (Compression compression : Compression.values()) {
            byte[] fetched = app("example.com/app").compression(compression).toBytes();
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            List<String> names = new ArrayList<>();
            ArchiveCheck check = new ArchiveCheck() {
                @Override
                public void update(byte[] bytes, int offset, int length) {
                    seen.write(bytes, offset, length);
                }

                @Override
                public void finish(ImageManifest manifest) {
                    names.add(manifest.name());
                }
            };
            InputStream trickle = new FilterInputStream(new ByteArrayInputStream(fetched)) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return super.read(b, off, Math.min(len, 7));
                }
            };

            store.discard(store.stagingSink(check).write(trickle));

            assertArrayEquals(fetched, seen.toByteArray(), compression + ": the bytes as fetched, each once, in order");
            assertEquals(List.of("example.com/app"), names, compression.toString());
        }
    }

    @Test
    void stagingSink_archiveCheckRefuses_nothingStaged() throws Exception {
        ImageStore store = ImageStore.open(data);
        var before = StoreSnapshot.of(data);
        ArchiveCheck refusing = new ArchiveCheck() {
            @Override
            public void update(byte[] bytes, int offset, int length) {}

            @Override
            public void finish(ImageManifest manifest) throws FetchException {
                throw new FetchException("no thanks: " + manifest.name());
            }
        };

        FetchException e = assertThrows(FetchException.class,
                () -> store.stagingSink(refusing).write(new ByteArrayInputStream(app("example.com/app").toBytes())));

        assertEquals("no thanks: example.com/app", e.getMessage());
        assertEquals(before, StoreSnapshot.of(data));
    }

    @Test
    void list_severalImages_oldestImportFirst() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage a = importInOrder(store, app("example.com/a"));
        StoredImage b = importInOrder(store, app("example.com/b"));
        StoredImage c = importInOrder(store, app("example.com/c"));
        assertEquals(List.of(a, b, c), store.list());
    }

    @Test
    void resolveId_uniquePrefix_findsTheImage() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = app("example.com/app").importInto(store);
        app("example.com/other").importInto(store);

        assertEquals(image, store.resolveId(image.id().toString()));
        assertEquals(image, store.resolveId(image.id().fetchId()));
        assertEquals(image, store.resolveId(image.id().shortId().toUpperCase()));
        byte[] full = MessageDigest.getInstance("SHA-512").digest(Files.readAllBytes(store.blobPath(image.id())));
        assertEquals(image, store.resolveId("sha512-" + HexFormat.of().formatHex(full)));
    }

    @Test
    void resolveId_tooShort_rktMessage() throws Exception {
        ImageStore store = ImageStore.open(data);
        assertEquals("image ID too short", assertThrows(ImageException.class, () -> store.resolveId("sha512-a")).getMessage());
        assertEquals("image ID too short", assertThrows(ImageException.class, () -> store.resolveId("sha512-")).getMessage());
    }

    @Test
    void resolveId_noMatch_rktMessage() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = app("example.com/app").importInto(store);
        String other = image.id().hex().startsWith("00") ? "sha512-11" : "sha512-00";
        assertEquals("no image IDs found", assertThrows(ImageException.class, () -> store.resolveId(other)).getMessage());
    }

    @Test
    void resolveId_withoutSha512Prefix_refused() throws Exception {
        ImageStore store = ImageStore.open(data);
        ImageException e = assertThrows(ImageException.class, () -> store.resolveId("abcdef"));
        assertEquals("bad image ID \"abcdef\": must start with \"sha512-\"", e.getMessage());
    }

    @Test
    void resolveId_sharedPrefix_ambiguous() throws Exception {
        ImageStore store = ImageStore.open(data);
        // Import variants until two IDs share their first two hex digits (expected after ~20).
        Map<String, StoredImage> byPrefix = new HashMap<>();
        String shared = null;
        for (int i = 0; shared == null; i++) {
            StoredImage image = app("example.com/app").label("build", Integer.toString(i)).importInto(store);
            String prefix = image.id().hex().substring(0, 2);
            if (byPrefix.putIfAbsent(prefix, image) != null) {
                shared = prefix;
            }
        }

        String key = "sha512-" + shared;
        ImageException e = assertThrows(ImageException.class, () -> store.resolveId(key.toUpperCase()));
        assertEquals("ambiguous image ID: \"" + key + "\"", e.getMessage());
    }

    @Test
    void findByName_severalVersions_newestImportWinsUnlessVersionGiven() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage v1 = importInOrder(store, app("example.com/app").label("version", "1"));
        StoredImage v2 = importInOrder(store, app("example.com/app").label("version", "2"));
        importInOrder(store, app("example.com/other").label("version", "3"));

        assertEquals(Optional.of(v2), store.findByName("example.com/app", Map.of()));
        assertEquals(Optional.of(v1), store.findByName("example.com/app", Map.of("version", "1")));
        assertEquals(Optional.empty(), store.findByName("example.com/app", Map.of("version", "3")));
        assertEquals(Optional.empty(), store.findByName("example.com/ap", Map.of()));

        StoredImage v1Again = importInOrder(store, app("example.com/app").label("version", "1"));
        assertEquals(Optional.of(v1Again), store.findByName("example.com/app", Map.of()));
    }

    @Test
    void findByName_everyGivenLabelMustMatch() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage canary = importInOrder(store, app("example.com/app").label("env", "canary"));
        assertEquals(Optional.of(canary), store.findByName("example.com/app", Map.of("env", "canary")));
        assertEquals(Optional.empty(), store.findByName("example.com/app", Map.of("env", "prod")));
        assertEquals(Optional.empty(), store.findByName("example.com/app", Map.of("env", "canary", "tier", "web")));
    }

    @Test
    void findByName_noOsArchAsked_meansTheHosts() throws Exception {
        ImageStore store = ImageStore.open(data);
        String foreign = Appc.HOST_ARCH.equals("aarch64") ? "amd64" : "aarch64";
        StoredImage other = importInOrder(store, app("example.com/app").label("arch", foreign));

        assertEquals(Optional.empty(), store.findByName("example.com/app", Map.of()));
        assertEquals(Optional.of(other), store.findByName("example.com/app", Map.of("arch", foreign)));

        StoredImage native_ = importInOrder(store, app("example.com/app"));
        assertEquals(Optional.of(native_), store.findByName("example.com/app", Map.of()));
        assertEquals(Optional.of(other), store.findByName("example.com/app", Map.of("arch", foreign)));
    }

    @Test
    void findByName_imageWithoutOsArch_matchesAnyPlatform() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage portable = importInOrder(store, app("example.com/portable").label("os", null).label("arch", null));

        assertEquals(Optional.of(portable), store.findByName("example.com/portable", Map.of()));
        assertEquals(Optional.of(portable), store.findByName("example.com/portable", Map.of("os", "freebsd", "arch", "arm")));
    }

    @Test
    void remove_renderedImage_deletesBlobManifestRecordAndTree() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage keep = app("example.com/keep").importInto(store);
        StoredImage image = app("example.com/gone").importInto(store);
        store.render(keep.id());
        Path rootfs = store.render(image.id());
        var keptTree = StoreSnapshot.of(store.treePath(keep.id()));

        store.remove(image.id());

        assertFalse(Files.exists(rootfs.getParent()));
        assertFalse(Files.exists(store.blobPath(image.id())));
        assertFalse(Files.exists(store.manifestPath(image.id())));
        assertEquals(Optional.empty(), store.get(image.id()));
        assertEquals(List.of(keep), store.list());
        assertEquals(keptTree, StoreSnapshot.of(store.treePath(keep.id())));
        try (var trees = Files.list(data.resolve("cas/tree"))) {
            assertEquals(1, trees.count());
        }
        ImageException e = assertThrows(ImageException.class, () -> store.remove(image.id()));
        assertEquals("no image with ID " + image.id() + " in the store", e.getMessage());
    }

    @Test
    void remove_thenImportAgain_rendersAfresh() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = app("example.com/app").importInto(store);
        store.render(image.id());
        store.remove(image.id());

        StoredImage again = app("example.com/app").importInto(store);

        assertEquals(image.id(), again.id());
        assertTrue(Files.isRegularFile(store.render(again.id()).resolve("bin/app")));
    }

    @Test
    void manifest_unknownImage_refused() throws Exception {
        ImageStore store = ImageStore.open(data);
        ImageId id = ImageId.parse("sha512-" + "cd".repeat(32));
        assertEquals("no image with ID " + id + " in the store",
                assertThrows(ImageException.class, () -> store.manifest(id)).getMessage());
        assertEquals(Optional.empty(), store.get(id));
        assertNotEquals(null, store.list());
    }
}
