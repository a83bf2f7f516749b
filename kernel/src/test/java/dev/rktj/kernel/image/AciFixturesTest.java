package dev.rktj.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.spi.BlobDescriptor;
import dev.rktj.kernel.spi.FetchException;
import dev.rktj.kernel.testing.SharedFixtures;
import dev.rktj.kernel.testing.StoreSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.compressors.CompressorStreamFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The shared appc fixtures: what the reference validator accepts imports, the rest is refused. */
class AciFixturesTest {

    private static final Map<String, String> REFUSALS = Map.of(
            "invalid-bad-manifest-json.aci", "image manifest: bad JSON at line 1, column 2: ",
            "invalid-duplicate-entry.aci", "duplicate file entry in archive: rootfs/bin/true",
            "invalid-extra-toplevel.aci", "unrecognized file path in layout: \"README\"",
            "invalid-manifest-bad-osarch.aci", "image manifest: labels[1].value: \"x86_64\" is not a supported arch for linux (must be one of: amd64, i386, aarch64, aarch64_be, armv6l, armv7l, armv7b, ppc64, ppc64le, s390x)",
            "invalid-manifest-podkind.aci", "image manifest: acKind: must be \"ImageManifest\", not \"PodManifest\"",
            "invalid-no-manifest.aci", "no image manifest found in layout",
            "invalid-no-rootfs.aci", "no rootfs found in layout",
            "invalid-rootfs-implicit-dir.aci", "no rootfs found in layout",
            "invalid-rootfs-not-dir.aci", "rootfs is not a directory",
            "specinvalid-refaccepts-rootfsx-toplevel.aci", "unrecognized file path in layout: \"rootfsx/y\"");

    @TempDir
    Path data;

    static List<Path> valid() throws IOException {
        return fixtures("valid-");
    }

    static List<Path> refused() throws IOException {
        List<Path> all = fixtures("invalid-");
        all.addAll(fixtures("specinvalid-"));
        return all;
    }

    private static List<Path> fixtures(String prefix) throws IOException {
        try (Stream<Path> files = Files.list(SharedFixtures.appc("aci"))) {
            return new java.util.ArrayList<>(files.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList());
        }
    }

    @Test
    void fixtures_allPresent_eighteenArchives() throws IOException {
        assertEquals(8, valid().size());
        assertEquals(10, refused().size());
        assertEquals(REFUSALS.keySet(), new HashSet<>(refused().stream().map(p -> p.getFileName().toString()).toList()));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void importTwice_validFixture_sameIdAndOneBlobOfThatDigest(Path aci) throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage first = importFile(store, aci);
        StoredImage second = importFile(store, aci);

        assertEquals(first.id(), second.id());
        assertEquals(uncompressedId(aci), first.id());
        assertEquals(first.id(), ImageId.ofDigest(sha512(Files.readAllBytes(store.blobPath(first.id())))));
        assertEquals(List.of(store.blobPath(first.id())), filesUnder(data.resolve("cas/blob")));
        assertEquals(List.of(), filesUnder(data.resolve("cas/tmp")));
        assertEquals("example.com/fixture", first.name());
        assertEquals(Files.size(store.blobPath(first.id())), first.size());
        assertEquals(List.of(second), store.list());
    }

    @ParameterizedTest
    @MethodSource("valid")
    void render_validFixture_extractsTheRootfs(Path aci) throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = importFile(store, aci);
        Path rootfs = store.render(image.id());
        assertTrue(Files.isDirectory(rootfs));
        if (aci.getFileName().toString().equals("valid-symlink-hardlink.aci")) {
            assertEquals(Path.of("true"), Files.readSymbolicLink(rootfs.resolve("bin/sh")));
            assertEquals(Files.getAttribute(rootfs.resolve("bin/true"), "unix:ino"), Files.getAttribute(rootfs.resolve("bin/true2"), "unix:ino"));
        }
    }

    @ParameterizedTest
    @MethodSource("refused")
    void import_refusedFixture_oneLineAndStoreUnchanged(Path aci) throws Exception {
        ImageStore store = ImageStore.open(data);
        TreeMap<String, String> before = StoreSnapshot.of(data);

        FetchException e = assertThrows(FetchException.class, () -> {
            try (InputStream in = Files.newInputStream(aci)) {
                store.stagingSink().write(in);
            }
        });

        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith(REFUSALS.get(aci.getFileName().toString())), e.getMessage());
        assertEquals(before, StoreSnapshot.of(data));
    }

    @Test
    void import_compressedFixtures_sameImageAsPlain() throws Exception {
        ImageStore store = ImageStore.open(data);
        Path dir = SharedFixtures.appc("aci");
        Set<ImageId> ids = new HashSet<>();
        for (String name : List.of("valid-plain.aci", "valid-gzip.aci", "valid-bzip2.aci", "valid-xz.aci")) {
            ids.add(importFile(store, dir.resolve(name)).id());
        }
        assertEquals(ids.size(), filesUnder(data.resolve("cas/blob")).size());
        assertEquals(ids.size(), store.list().size());
    }

    static StoredImage importFile(ImageStore store, Path aci) throws Exception {
        BlobDescriptor staged;
        try (InputStream in = Files.newInputStream(aci)) {
            staged = store.stagingSink().write(in);
        }
        return store.commit(staged, aci.toUri().toString(), null);
    }

    private static ImageId uncompressedId(Path aci) throws Exception {
        try (InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(aci))) {
            InputStream tar;
            try {
                tar = new CompressorStreamFactory().createCompressorInputStream(raw);
            } catch (org.apache.commons.compress.compressors.CompressorException notCompressed) {
                tar = raw;
            }
            return ImageId.ofDigest(sha512(tar.readAllBytes()));
        }
    }

    static byte[] sha512(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-512").digest(bytes);
    }

    static List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
