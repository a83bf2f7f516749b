package dev.rktj.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import dev.rktj.kernel.spi.FetchException;
import dev.rktj.kernel.testing.AciBuilder;
import dev.rktj.kernel.testing.AciBuilder.Compression;
import dev.rktj.kernel.testing.StoreSnapshot;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Archives built to escape or corrupt the store. Each is refused at import with one line and
 * leaves the store as it was; those that reach extraction (as a damaged store could hand over)
 * are refused there too, and nothing outside the target is ever touched.
 */
class HostileArchiveTest {

    private static final byte[] EVIL = "owned".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;
    Path data;
    Path outside;
    Path canary;

    @BeforeEach
    void setUp() throws Exception {
        data = Files.createDirectories(tmp.resolve("data"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        canary = Files.writeString(outside.resolve("canary"), "untouched");
    }

    /** Builds a hostile archive given the directory it tries to write into. */
    interface Hostile extends Function<Path, AciBuilder> {}

    static Stream<Arguments> layoutAttacks() {
        return Stream.of(
                attack("dot-dot inside rootfs",
                        out -> base().rawEntry("rootfs/../canary", TarConstants.LF_NORMAL, null, EVIL, 0644),
                        "refusing archive entry \"rootfs/../canary\": path escapes the image"),
                attack("leading dot-dot",
                        out -> base().rawEntry("../outside/canary", TarConstants.LF_NORMAL, null, EVIL, 0644),
                        "refusing archive entry \"../outside/canary\": path escapes the image"),
                attack("absolute path",
                        out -> base().rawEntry(out.resolve("canary").toString(), TarConstants.LF_NORMAL, null, EVIL, 0644),
                        "refusing archive entry \"/"),
                attack("symlink to / then a file through it",
                        out -> base().symlink("evil", "/").rawEntry("rootfs/evil" + out.resolve("canary"), TarConstants.LF_NORMAL, null, EVIL, 0644),
                        "refusing archive entry \"rootfs/evil/"),
                attack("symlink out then a file through it",
                        out -> base().symlink("evil", out.toString()).file("evil/canary", EVIL, 0644),
                        "refusing archive entry \"rootfs/evil/canary\": path passes through the symlink \"rootfs/evil\""),
                attack("symlink out then a directory through it",
                        out -> base().symlink("evil", out.toString()).dir("evil/made"),
                        "refusing archive entry \"rootfs/evil/made/\": path passes through the symlink \"rootfs/evil\""),
                attack("dot-dot symlink chain then a file",
                        out -> base().symlink("a", "..").symlink("b", "a/../..").file("b/canary", EVIL, 0644),
                        "refusing archive entry \"rootfs/b/canary\": path passes through the symlink \"rootfs/b\""),
                attack("hard link to /etc/passwd",
                        out -> base().rawEntry("rootfs/passwd", TarConstants.LF_LINK, "/etc/passwd", new byte[0], 0644),
                        "refusing archive entry \"rootfs/passwd\": hard link target \"/etc/passwd\" is absolute"),
                attack("hard link climbing out",
                        out -> base().rawEntry("rootfs/passwd", TarConstants.LF_LINK, "rootfs/../../etc/passwd", new byte[0], 0644),
                        "refusing archive entry \"rootfs/passwd\": hard link target \"rootfs/../../etc/passwd\" escapes the image"),
                attack("hard link to a later entry",
                        out -> base().hardlink("early", "late").file("late", "x"),
                        "refusing archive entry \"rootfs/early\": hard link target \"rootfs/late\" is not an earlier file of the image"),
                attack("hard link through a symlink",
                        out -> base().symlink("evil", out.toString()).hardlink("stolen", "evil/canary"),
                        "refusing archive entry \"rootfs/stolen\": hard link target \"rootfs/evil/canary\" is not an earlier file of the image"),
                attack("hard link to the manifest",
                        out -> base().rawEntry("rootfs/m", TarConstants.LF_LINK, "manifest", new byte[0], 0644),
                        "refusing archive entry \"rootfs/m\": hard link target \"manifest\" is outside the rootfs"),
                attack("symlink where earlier entries made a directory",
                        out -> base().file("a/b", "x").symlink("a", out.toString()),
                        "refusing archive entry \"rootfs/a\": earlier entries made it a directory",
                        "refusing archive entry \"rootfs/a\": it is already in the image"),
                attack("duplicate entries",
                        out -> base().file("x", "1").file("x", "2"),
                        "duplicate file entry in archive: rootfs/x",
                        "refusing archive entry \"rootfs/x\": it is already in the image"),
                attack("unsupported entry type",
                        out -> base().rawEntry("rootfs/odd", (byte) 'Z', null, new byte[0], 0644),
                        "refusing archive entry \"rootfs/odd\": unsupported entry type 'Z'"));
    }

    private static Arguments attack(String name, Hostile archive, String message) {
        return attack(name, archive, message, message);
    }

    private static Arguments attack(String name, Hostile archive, String importMessage, String extractMessage) {
        return Arguments.of(named(name, archive), importMessage, extractMessage);
    }

    private static AciBuilder base() {
        return AciBuilder.image("example.com/hostile");
    }

    @ParameterizedTest
    @MethodSource("layoutAttacks")
    void import_hostileLayout_refusedAndNothingWritten(Hostile archive, String importMessage, String extractMessage) throws Exception {
        assertImportRefused(archive.apply(outside).toBytes(), importMessage);
    }

    @ParameterizedTest
    @MethodSource("layoutAttacks")
    void extract_hostileLayout_refusedAndNothingWrittenOutside(Hostile archive, String importMessage, String extractMessage) throws Exception {
        byte[] tar = archive.apply(outside).toBytes();
        Path target = Files.createDirectories(tmp.resolve("target"));
        TreeMap<String, String> outsideBefore = StoreSnapshot.of(outside);

        ImageException e = assertThrows(ImageException.class,
                () -> new TarExtractor(target, "rootfs", TarExtractor.runningAsRoot()).extract(new ByteArrayInputStream(tar)));

        assertOneLineStartingWith(extractMessage, e.getMessage());
        assertEquals(outsideBefore, StoreSnapshot.of(outside));
        assertEquals("untouched", Files.readString(canary));
        assertFalse(Files.exists(tmp.resolve("canary")));
    }

    @Test
    void import_manifestOverOneMebibyte_refused() throws Exception {
        String big = "x".repeat(1024 * 1024);
        String json = base().manifest().replaceFirst("\\{", "{\"annotations\": [{\"name\": \"padding\", \"value\": \"" + big + "\"}], ");
        assertImportRefused(base().manifestJson(json).toBytes(), "image manifest is larger than 1 MiB");
    }

    @Test
    void import_truncatedGzip_corrupt() throws Exception {
        assertImportRefused(half(withNoise().compression(Compression.GZIP).toBytes()), "corrupt archive: ");
    }

    @Test
    void import_truncatedXz_corrupt() throws Exception {
        assertImportRefused(half(withNoise().compression(Compression.XZ).toBytes()), "corrupt archive: ");
    }

    @Test
    void import_truncatedBzip2_corrupt() throws Exception {
        assertImportRefused(half(withNoise().compression(Compression.BZIP2).toBytes()), "corrupt archive: ");
    }

    @Test
    void import_tarCutInsideAFile_corrupt() throws Exception {
        assertImportRefused(half(withNoise().toBytes()), "corrupt archive: ");
    }

    @Test
    void import_tarWithoutEndMarker_corrupt() throws Exception {
        byte[] tar = base().file("x", "x").toBytes();
        // manifest header+data, rootfs/ header, x header+data: cut right after them
        int end = lastNonZero(tar);
        byte[] cut = Arrays.copyOf(tar, (end / 512 + 1) * 512);
        assertImportRefused(cut, "corrupt archive: the tar ends without its end-of-archive marker");
    }

    @Test
    void import_gzipWithCorruptedBody_corrupt() throws Exception {
        byte[] gz = withNoise().compression(Compression.GZIP).toBytes();
        for (int i = gz.length / 3; i < gz.length / 3 + 64; i++) {
            gz[i] ^= (byte) 0x5a;
        }
        assertImportRefused(gz, "corrupt archive: ");
    }

    @Test
    void import_garbageBytes_unknownFormat() throws Exception {
        byte[] garbage = new byte[4096];
        new Random(7).nextBytes(garbage);
        garbage[0] = 'G';
        assertImportRefused(garbage, "not an ACI: unknown archive format");
    }

    @Test
    void import_emptyInput_refused() throws Exception {
        assertImportRefused(new byte[0], "not an ACI: the archive is empty");
    }

    @Test
    void import_rootfsxAtTopLevel_refused() throws Exception {
        assertImportRefused(base().rawEntry("rootfsx/y", TarConstants.LF_NORMAL, null, EVIL, 0644).toBytes(),
                "unrecognized file path in layout: \"rootfsx/y\"");
    }

    @Test
    void import_manifestAsDirectory_refused() throws Exception {
        assertImportRefused(base().omitManifest().rawEntry("manifest/", TarConstants.LF_DIR, null, new byte[0], 0755).toBytes(),
                "manifest is not a regular file");
    }

    @Test
    void extract_deviceNodeUnprivileged_refused() throws Exception {
        byte[] tar = base().charDevice("dev/null", 1, 3, 0666).toBytes();
        Path target = Files.createDirectories(tmp.resolve("target"));
        ImageException e = assertThrows(ImageException.class,
                () -> new TarExtractor(target, "rootfs", false).extract(new ByteArrayInputStream(tar)));
        assertOneLineStartingWith("refusing archive entry \"rootfs/dev/null\": device nodes and fifos can only be created by root", e.getMessage());
    }

    private void assertImportRefused(byte[] archive, String message) throws Exception {
        ImageStore store = ImageStore.open(data);
        TreeMap<String, String> storeBefore = StoreSnapshot.of(data);
        TreeMap<String, String> outsideBefore = StoreSnapshot.of(outside);

        FetchException e = assertThrows(FetchException.class, () -> store.stagingSink().write(new ByteArrayInputStream(archive)));

        assertOneLineStartingWith(message, e.getMessage());
        assertEquals(storeBefore, StoreSnapshot.of(data));
        assertEquals(outsideBefore, StoreSnapshot.of(outside));
        assertEquals(java.util.List.of(), store.list());
    }

    private static void assertOneLineStartingWith(String expected, String message) {
        assertFalse(message.contains("\n") || message.contains("\r"), message);
        assertTrue(message.startsWith(expected), () -> "expected to start with <" + expected + "> but was <" + message + ">");
    }

    /** An image with 64 KiB of incompressible data, so that half of any compressed form cuts into it. */
    private static AciBuilder withNoise() {
        byte[] noise = new byte[64 * 1024];
        new Random(42).nextBytes(noise);
        return base().file("noise", noise, 0644);
    }

    private static byte[] half(byte[] bytes) {
        return Arrays.copyOf(bytes, bytes.length / 2);
    }

    private static int lastNonZero(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] != 0) {
                return i;
            }
        }
        return -1;
    }
}
