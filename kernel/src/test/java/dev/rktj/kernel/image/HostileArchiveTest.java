package dev.rktj.kernel.image;

import static dev.rktj.kernel.testing.RawTar.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import dev.rktj.kernel.spi.FetchException;
import dev.rktj.kernel.testing.AciBuilder;
import dev.rktj.kernel.testing.AciBuilder.Compression;
import dev.rktj.kernel.testing.RawTar;
import dev.rktj.kernel.testing.StoreSnapshot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile-archive corpus: archives built at run time to escape, confuse or corrupt the store.
 * Each is refused at import with one line naming the problem and leaves the store byte for byte
 * as it was. Those whose tar reaches extraction (as a damaged store could hand it over) are refused
 * there too, and nothing outside the target is ever touched.
 */
class HostileArchiveTest {

    private static final byte[] EVIL = bytes("owned");
    private static final String MANIFEST = AciBuilder.image("example.com/hostile").manifest();

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
    interface Hostile {
        byte[] build(Path outside) throws Exception;
    }

    /** A case refused by the import check and, with {@code extractMessage}, by extraction too (null: extraction never sees it). */
    private static Arguments attack(String name, Hostile archive, String importMessage, String extractMessage) {
        return Arguments.of(named(name, archive), importMessage, extractMessage);
    }

    private static Arguments attack(String name, Hostile archive, String message) {
        return attack(name, archive, message, message);
    }

    private static Arguments importOnly(String name, Hostile archive, String message) {
        return attack(name, archive, message, null);
    }

    static Stream<Arguments> corpus() {
        List<Arguments> cases = new ArrayList<>();
        // names that climb, or that the tar library would rewrite on the way
        cases.add(attack("dot-dot inside rootfs",
                out -> base().rawEntry("rootfs/../canary", TarConstants.LF_NORMAL, null, EVIL, 0644).toBytes(),
                "refusing archive entry \"rootfs/../canary\": path escapes the image"));
        cases.add(attack("leading dot-dot",
                out -> base().rawEntry("../outside/canary", TarConstants.LF_NORMAL, null, EVIL, 0644).toBytes(),
                "refusing archive entry \"../outside/canary\": path escapes the image"));
        cases.add(attack("absolute path",
                out -> base().rawEntry(out.resolve("canary").toString(), TarConstants.LF_NORMAL, null, EVIL, 0644).toBytes(),
                "refusing archive entry \"/"));
        cases.add(attack("PAX path override that climbs",
                out -> raw().pax(Map.of("path", bytes("rootfs/../../evil"))).file("rootfs/innocent", EVIL).end(),
                "refusing archive entry \"rootfs/../../evil\": path escapes the image"));
        cases.add(attack("PAX path override that is absolute",
                out -> raw().pax(Map.of("path", bytes(out.resolve("canary").toString()))).file("rootfs/innocent", EVIL).end(),
                "refusing archive entry \"/"));
        cases.add(attack("GNU long name that climbs",
                out -> raw().gnuLongName(bytes("rootfs/" + "a/".repeat(60) + "../".repeat(62) + "evil")).file("rootfs/short", EVIL).end(),
                "refusing archive entry \"rootfs/a/a/"));
        cases.add(attack("PAX linkpath that climbs",
                out -> raw().file("rootfs/x", EVIL).pax(Map.of("linkpath", bytes("rootfs/../../etc/passwd")))
                        .entry(bytes("rootfs/passwd"), '1', 0644, bytes("rootfs/x"), new byte[0]).end(),
                "refusing archive entry \"rootfs/passwd\": hard link target \"rootfs/../../etc/passwd\" escapes the image"));
        cases.add(attack("name that is not UTF-8",
                out -> raw().entry(new byte[] {'r', 'o', 'o', 't', 'f', 's', '/', (byte) 0xff, (byte) 0xc3}, '0', 0644, null, EVIL).end(),
                "refusing archive entry \"rootfs/\\xff\\xc3\": name is not valid UTF-8"));
        cases.add(attack("PAX path that is not UTF-8",
                out -> raw().pax(Map.of("path", new byte[] {'r', 'o', 'o', 't', 'f', 's', '/', (byte) 0xc0, (byte) 0xaf})).file("rootfs/x", EVIL).end(),
                "refusing archive entry \"rootfs/\\xc0\\xaf\": name is not valid UTF-8"));
        cases.add(attack("NUL inside a PAX name",
                out -> raw().pax(Map.of("path", bytes("rootfs/a\0/../../../evil"))).file("rootfs/x", EVIL).end(),
                "refusing archive entry \"rootfs/a\\x00/../../../evil\": name contains a NUL byte"));
        cases.add(attack("NUL inside a symlink target",
                out -> raw().pax(Map.of("linkpath", bytes("/etc\0passwd"))).entry(bytes("rootfs/l"), '2', 0777, bytes("x"), new byte[0]).end(),
                "refusing archive entry \"rootfs/l\": link target contains a NUL byte"));
        cases.add(attack("name component longer than 255 bytes",
                out -> raw().pax(Map.of("path", bytes("rootfs/" + "n".repeat(256)))).file("rootfs/x", EVIL).end(),
                "refusing archive entry \"rootfs/nnn"));
        cases.add(attack("global PAX header renaming every entry",
                out -> raw().globalPax(Map.of("path", bytes("rootfs/../evil"))).file("rootfs/x", EVIL).end(),
                "refusing a global PAX header that sets \"path\" for every later entry"));
        // links that point out, or that later entries would follow
        cases.add(attack("symlink to / then a file through it",
                out -> base().symlink("evil", "/").rawEntry("rootfs/evil" + out.resolve("canary"), TarConstants.LF_NORMAL, null, EVIL, 0644).toBytes(),
                "refusing archive entry \"rootfs/evil/"));
        cases.add(attack("symlink to an outside directory then a file through it",
                out -> base().symlink("evil", out.toString()).file("evil/canary", EVIL, 0644).toBytes(),
                "refusing archive entry \"rootfs/evil/canary\": path passes through the symlink \"rootfs/evil\""));
        cases.add(attack("symlink to an inner directory then a file through it",
                out -> base().dir("usr/lib").symlink("lib", "usr/lib").file("lib/libc.so", EVIL, 0644).toBytes(),
                "refusing archive entry \"rootfs/lib/libc.so\": path passes through the symlink \"rootfs/lib\""));
        cases.add(attack("symlink out then a directory through it",
                out -> base().symlink("evil", out.toString()).dir("evil/made").toBytes(),
                "refusing archive entry \"rootfs/evil/made/\": path passes through the symlink \"rootfs/evil\""));
        cases.add(attack("dot-dot symlink chain then a file",
                out -> base().symlink("a", "..").symlink("b", "a/../..").file("b/canary", EVIL, 0644).toBytes(),
                "refusing archive entry \"rootfs/b/canary\": path passes through the symlink \"rootfs/b\""));
        cases.add(attack("symlink loop then a file through it",
                out -> base().symlink("a", "b").symlink("b", "a").file("a/x", EVIL, 0644).toBytes(),
                "refusing archive entry \"rootfs/a/x\": path passes through the symlink \"rootfs/a\""));
        cases.add(attack("hard link to /etc/passwd",
                out -> base().rawEntry("rootfs/passwd", TarConstants.LF_LINK, "/etc/passwd", new byte[0], 0644).toBytes(),
                "refusing archive entry \"rootfs/passwd\": hard link target \"/etc/passwd\" is absolute"));
        cases.add(attack("hard link climbing out",
                out -> base().rawEntry("rootfs/passwd", TarConstants.LF_LINK, "rootfs/../../etc/passwd", new byte[0], 0644).toBytes(),
                "refusing archive entry \"rootfs/passwd\": hard link target \"rootfs/../../etc/passwd\" escapes the image"));
        cases.add(attack("hard link to a not-yet-seen entry",
                out -> base().hardlink("early", "late").file("late", "x").toBytes(),
                "refusing archive entry \"rootfs/early\": hard link target \"rootfs/late\" is not an earlier file of the image"));
        cases.add(attack("hard link through a symlink",
                out -> base().symlink("evil", out.toString()).hardlink("stolen", "evil/canary").toBytes(),
                "refusing archive entry \"rootfs/stolen\": hard link target \"rootfs/evil/canary\" is not an earlier file of the image"));
        cases.add(attack("hard link to a directory",
                out -> base().dir("etc").hardlink("etc2", "etc").toBytes(),
                "refusing archive entry \"rootfs/etc2\": hard link target \"rootfs/etc\" is not an earlier file of the image"));
        cases.add(attack("hard link to the manifest",
                out -> base().rawEntry("rootfs/m", TarConstants.LF_LINK, "manifest", new byte[0], 0644).toBytes(),
                "refusing archive entry \"rootfs/m\": hard link target \"manifest\" is outside the rootfs"));
        cases.add(attack("symlink without a target",
                out -> raw().entry(bytes("rootfs/empty"), '2', 0777, null, new byte[0]).end(),
                "refusing archive entry \"rootfs/empty\": link without a target"));
        // the layout: duplicates, what may stand at the top, what rootfs and manifest must be
        cases.add(attack("duplicate entries (refused: which one wins is up to the reader)",
                out -> base().file("x", "1").file("x", "2").toBytes(),
                "duplicate file entry in archive: rootfs/x",
                "refusing archive entry \"rootfs/x\": it is already in the image"));
        cases.add(attack("duplicate entries spelled differently",
                out -> base().file("x", "1").rawEntry("rootfs/./x", TarConstants.LF_NORMAL, null, EVIL, 0644).toBytes(),
                "duplicate file entry in archive: rootfs/x",
                "refusing archive entry \"rootfs/./x\": it is already in the image"));
        cases.add(importOnly("second manifest",
                out -> base().rawEntry("manifest", TarConstants.LF_NORMAL, null, bytes(MANIFEST), 0644).toBytes(),
                "duplicate file entry in archive: manifest"));
        cases.add(attack("directory implied by earlier entries then replaced by a symlink",
                out -> base().file("a/b", "x").symlink("a", out.toString()).toBytes(),
                "refusing archive entry \"rootfs/a\": earlier entries made it a directory"));
        cases.add(attack("file then written through as a directory",
                out -> base().file("d", "x").file("d/x", EVIL, 0644).toBytes(),
                "refusing archive entry \"rootfs/d/x\": \"rootfs/d\" is not a directory"));
        cases.add(importOnly("rootfsx/ beside rootfs/",
                out -> base().rawEntry("rootfsx/y", TarConstants.LF_NORMAL, null, EVIL, 0644).toBytes(),
                "unrecognized file path in layout: \"rootfsx/y\""));
        cases.add(importOnly("another top-level entry",
                out -> base().rawEntry("etc/passwd", TarConstants.LF_NORMAL, null, EVIL, 0644).toBytes(),
                "unrecognized file path in layout: \"etc/passwd\""));
        cases.add(attack("device node where rootfs should be",
                out -> new RawTar().manifest(MANIFEST).device(1, 3).entry(bytes("rootfs"), '3', 0666, null, new byte[0]).end(),
                "rootfs is not a directory",
                "refusing archive entry \"rootfs\": not a directory"));
        cases.add(attack("file named rootfs",
                out -> new RawTar().manifest(MANIFEST).file("rootfs", EVIL).end(),
                "rootfs is not a directory",
                "refusing archive entry \"rootfs\": not a directory"));
        cases.add(importOnly("manifest that is a symlink",
                out -> new RawTar().entry(bytes("manifest"), '2', 0777, bytes("/etc/passwd"), new byte[0]).dir("rootfs/").end(),
                "manifest is not a regular file"));
        cases.add(importOnly("manifest missing",
                out -> base().omitManifest().file("x", "x").toBytes(),
                "no image manifest found in layout"));
        cases.add(importOnly("manifest that is not JSON",
                out -> base().manifestJson("acKind: ImageManifest").toBytes(),
                "image manifest: bad JSON at line 1, column 1: "));
        cases.add(importOnly("manifest over 1 MiB",
                out -> base().manifestJson(MANIFEST.replaceFirst("\\{", "{\"annotations\": [{\"name\": \"padding\", \"value\": \""
                        + "x".repeat(1024 * 1024) + "\"}], ")).toBytes(),
                "image manifest is larger than 1 MiB"));
        cases.add(importOnly("rootfs missing",
                out -> base().omitRootfsDir().toBytes(),
                "no rootfs found in layout"));
        // header fields that no real file has
        cases.add(attack("mode bits beyond 07777",
                out -> raw().entry(bytes("rootfs/x"), '0', 0170755, null, EVIL).end(),
                "refusing archive entry \"rootfs/x\": mode 0170755 has bits beyond 07777 that are not its file type"));
        cases.add(attack("owner beyond 32 bits",
                out -> raw().pax(Map.of("uid", bytes("4294967296"))).file("rootfs/x", EVIL).end(),
                "refusing archive entry \"rootfs/x\": owner 4294967296 is not a 32-bit user or group ID"));
        cases.add(attack("device number out of range",
                out -> raw().device(5000, 1).entry(bytes("rootfs/dev/x"), '3', 0600, null, new byte[0]).end(),
                "refusing archive entry \"rootfs/dev/x\": device number 5000:1 is out of range"));
        cases.add(attack("unsupported entry type",
                out -> base().rawEntry("rootfs/odd", (byte) 'Z', null, new byte[0], 0644).toBytes(),
                "refusing archive entry \"rootfs/odd\": unsupported entry type 'Z'"));
        cases.add(attack("sparse file (refused: it could expand far beyond its archive)",
                HostileArchiveTest::gnuSparse,
                "refusing archive entry \"rootfs/sparse\": sparse files are not supported (archive without --sparse)"));
        cases.add(attack("xattr outside the namespaces Linux knows",
                out -> raw().pax(Map.of("SCHILY.xattr.evil.x", EVIL)).file("rootfs/x", EVIL).end(),
                "refusing archive entry \"rootfs/x\": xattr \"evil.x\" is not in a namespace Linux knows (user., trusted., security., system.)"));
        cases.add(attack("user xattr on a symlink",
                out -> raw().pax(Map.of("SCHILY.xattr.user.x", EVIL)).entry(bytes("rootfs/l"), '2', 0777, bytes("x"), new byte[0]).end(),
                "refusing archive entry \"rootfs/l\": user xattr \"user.x\" on a symlink"));
        cases.add(attack("xattr value over 64 KiB",
                out -> raw().pax(Map.of("SCHILY.xattr.user.big", new byte[65537])).file("rootfs/x", EVIL).end(),
                "refusing archive entry \"rootfs/x\": xattr \"user.big\" is larger than 64 KiB"));
        // streams that end too soon or lie about their length
        cases.add(attack("huge declared size with short data",
                out -> Arrays.copyOf(raw().declaredSize(077777777777L).file("rootfs/huge", EVIL).cut(), 4096),
                "corrupt archive: ",
                "cannot extract the image: "));
        cases.add(importOnly("truncated gzip", out -> half(withNoise().compression(Compression.GZIP).toBytes()), "corrupt archive: "));
        cases.add(importOnly("truncated xz", out -> half(withNoise().compression(Compression.XZ).toBytes()), "corrupt archive: "));
        cases.add(importOnly("truncated bzip2", out -> half(withNoise().compression(Compression.BZIP2).toBytes()), "corrupt archive: "));
        cases.add(importOnly("gzip with a corrupted body", out -> {
            byte[] gz = withNoise().compression(Compression.GZIP).toBytes();
            for (int i = gz.length / 3; i < gz.length / 3 + 64; i++) {
                gz[i] ^= (byte) 0x5a;
            }
            return gz;
        }, "corrupt archive: "));
        cases.add(attack("tar cut inside a file", out -> half(withNoise().toBytes()), "corrupt archive: ", "cannot extract the image: "));
        cases.add(importOnly("tar without its end marker",
                out -> raw().file("rootfs/x", EVIL).cut(),
                "corrupt archive: the tar ends without its end-of-archive marker"));
        cases.add(attack("header with a bad checksum", out -> {
            byte[] tar = raw().file("rootfs/x", EVIL).end();
            tar[3 * 512 + 100] = '7'; // the mode of rootfs/x, after manifest header+data and rootfs/
            return tar;
        }, "corrupt archive: ", "cannot extract the image: "));
        cases.add(importOnly("random bytes", out -> {
            byte[] garbage = new byte[4096];
            new Random(7).nextBytes(garbage);
            garbage[0] = 'G';
            return garbage;
        }, "not an ACI: unknown archive format"));
        cases.add(importOnly("empty input", out -> new byte[0], "not an ACI: the archive is empty"));
        return cases.stream();
    }

    /** The cases whose tar extraction must refuse as well. */
    static Stream<Arguments> reachesExtraction() {
        return corpus().filter(a -> a.get()[2] != null);
    }

    @Test
    void corpus_isLargeEnough() {
        assertTrue(corpus().count() >= 25);
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void import_hostileArchive_refusedInOneLineAndStoreUnchanged(Hostile archive, String importMessage, String extractMessage) throws Exception {
        byte[] bytes = archive.build(outside);
        ImageStore store = ImageStore.open(data);
        TreeMap<String, String> storeBefore = StoreSnapshot.of(data);
        TreeMap<String, String> outsideBefore = StoreSnapshot.of(outside);

        FetchException e = assertThrows(FetchException.class, () -> store.stagingSink().write(new ByteArrayInputStream(bytes)));

        assertOneLineStartingWith(importMessage, e.getMessage());
        assertEquals(storeBefore, StoreSnapshot.of(data));
        assertEquals(outsideBefore, StoreSnapshot.of(outside));
        assertEquals(List.of(), store.list());
    }

    @ParameterizedTest
    @MethodSource("reachesExtraction")
    void extract_hostileArchive_refusedAndNothingWrittenOutside(Hostile archive, String importMessage, String extractMessage) throws Exception {
        byte[] tar = archive.build(outside);
        Path target = Files.createDirectories(tmp.resolve("target"));
        TreeMap<String, String> outsideBefore = StoreSnapshot.of(outside);

        ImageException e = assertThrows(ImageException.class,
                () -> new TarExtractor(target, "rootfs", TarExtractor.runningAsRoot()).extract(new ByteArrayInputStream(tar)));

        assertOneLineStartingWith(extractMessage, e.getMessage());
        assertEquals(outsideBefore, StoreSnapshot.of(outside));
        assertEquals("untouched", Files.readString(canary));
        assertFalse(Files.exists(tmp.resolve("canary")));
        assertFalse(Files.exists(tmp.resolve("evil")));
    }

    @Test
    void extract_deviceNodeUnprivileged_refused() throws Exception {
        byte[] tar = base().charDevice("dev/null", 1, 3, 0666).toBytes();
        Path target = Files.createDirectories(tmp.resolve("target"));
        ImageException e = assertThrows(ImageException.class,
                () -> new TarExtractor(target, "rootfs", false).extract(new ByteArrayInputStream(tar)));
        assertOneLineStartingWith("refusing archive entry \"rootfs/dev/null\": device nodes and fifos can only be created by root", e.getMessage());
    }

    private static AciBuilder base() {
        return AciBuilder.image("example.com/hostile");
    }

    /** A valid manifest and rootfs/, then whatever the case adds. */
    private static RawTar raw() {
        return new RawTar().manifest(MANIFEST).dir("rootfs/");
    }

    /** An old-GNU sparse file as GNU tar writes it: 1 GiB with 5 bytes of data. */
    private static byte[] gnuSparse(Path scratch) throws IOException, InterruptedException {
        Path layout = Files.createTempDirectory(scratch.getParent(), "sparse");
        Files.writeString(layout.resolve("manifest"), MANIFEST);
        Path rootfs = Files.createDirectories(layout.resolve("rootfs"));
        try (var f = new java.io.RandomAccessFile(rootfs.resolve("sparse").toFile(), "rw")) {
            f.setLength(1L << 30);
            f.seek(1L << 29);
            f.write(EVIL);
        }
        Path tar = layout.resolve("sparse.tar");
        Process p = new ProcessBuilder("tar", "--format=gnu", "--sparse", "-C", layout.toString(), "-cf", tar.toString(), "manifest", "rootfs")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        return Files.readAllBytes(tar);
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
}
