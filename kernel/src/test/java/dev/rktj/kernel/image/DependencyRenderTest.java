package dev.rktj.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.appc.Appc;
import dev.rktj.kernel.appc.Dependency;
import dev.rktj.kernel.testing.AciBuilder;
import dev.rktj.kernel.testing.StoreSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images with dependencies: resolved from the store, layered in appc's order, whitelists applied. */
class DependencyRenderTest {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final Instant T1 = Instant.parse("2001-02-03T04:05:06Z");
    private static final Instant T2 = Instant.parse("2011-12-13T14:15:16Z");

    @TempDir
    Path data;

    private static AciBuilder image(String name) {
        return AciBuilder.image(name).noApp();
    }

    /** Imports and waits a little, so the next import of the same name is strictly newer. */
    private static StoredImage stored(AciBuilder builder, ImageStore store) throws Exception {
        StoredImage image = builder.importInto(store);
        Thread.sleep(5);
        return image;
    }

    private static String read(Path p) throws Exception {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    @Test
    void render_dependencyByNameAndVersion_baseUnderTheImage() throws Exception {
        ImageStore store = ImageStore.open(data);
        stored(image("example.com/base").label("version", "1.0").file("etc/base", "base").file("etc/shared", "from base"), store);
        stored(image("example.com/base").label("version", "2.0").file("etc/base", "base 2").file("etc/shared", "from base 2"), store);
        StoredImage app = stored(AciBuilder.image("example.com/app").dependency("example.com/base", "version=1.0")
                .file("etc/shared", "from app"), store);

        Path rootfs = store.render(app.id());

        assertEquals("base", read(rootfs.resolve("etc/base")));
        assertEquals("from app", read(rootfs.resolve("etc/shared")));
    }

    @Test
    void render_dependencyWithoutVersion_newestImportWins() throws Exception {
        ImageStore store = ImageStore.open(data);
        stored(image("example.com/base").label("version", "2.0").file("v", "2.0"), store);
        stored(image("example.com/base").label("version", "1.0").file("v", "1.0 imported last"), store);
        StoredImage app = stored(image("example.com/app").dependency("example.com/base"), store);

        assertEquals("1.0 imported last", read(store.render(app.id()).resolve("v")));
    }

    @Test
    void render_dependencyWithoutOsArch_takesTheHostsPlatform() throws Exception {
        ImageStore store = ImageStore.open(data);
        String foreign = Appc.arches("linux").stream().filter(a -> !a.equals(Appc.HOST_ARCH)).findFirst().orElseThrow();
        stored(image("example.com/base").file("arch", "host"), store);
        stored(image("example.com/base").label("arch", foreign).file("arch", foreign), store);
        StoredImage app = stored(image("example.com/app").dependency("example.com/base"), store);

        assertEquals("host", read(store.render(app.id()).resolve("arch")));
    }

    @Test
    void render_dependencyByImageId_thatImageEvenWhenANewerOneExists() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage old = stored(image("example.com/base").file("v", "old"), store);
        stored(image("example.com/base").file("v", "new"), store);
        StoredImage app = stored(image("example.com/app")
                .dependency(new Dependency("example.com/base", old.id().toString(), null, old.size())), store);

        assertEquals("old", read(store.render(app.id()).resolve("v")));
    }

    @Test
    void render_imageIdOfAnotherName_refused() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage other = stored(image("example.com/other").file("v", "x"), store);
        StoredImage app = stored(image("example.com/app")
                .dependency(new Dependency("example.com/base", other.id().toString(), null, null)), store);

        ImageException e = assertThrows(ImageException.class, () -> store.render(app.id()));

        assertEquals("dependency \"example.com/base\" " + other.id() + " of image \"example.com/app\": the image with ID "
                + other.id() + " is named \"example.com/other\"", e.getMessage());
    }

    @Test
    void render_sizeThatDoesNotMatch_refused() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage base = stored(image("example.com/base").file("v", "x"), store);
        StoredImage app = stored(image("example.com/app")
                .dependency(new Dependency("example.com/base", null, null, base.size() + 1)), store);

        ImageException e = assertThrows(ImageException.class, () -> store.render(app.id()));

        assertEquals("dependency \"example.com/base\" of image \"example.com/app\": it is " + base.size()
                + " bytes, the manifest says " + (base.size() + 1), e.getMessage());
    }

    @Test
    void render_missingDependency_oneLineNamingItAndNoTree() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage app = stored(image("example.com/app").dependency("example.com/base", "version=1.0"), store);
        var before = StoreSnapshot.of(data);

        ImageException e = assertThrows(ImageException.class, () -> store.render(app.id()));

        assertEquals("dependency \"example.com/base,version=1.0\" of image \"example.com/app\" is not in the store (fetch it first)",
                e.getMessage());
        assertEquals(before, StoreSnapshot.of(data));
    }

    @Test
    void render_missingDependencyById_saysWhichId() throws Exception {
        ImageStore store = ImageStore.open(data);
        String id = "sha512-" + "ab".repeat(64);
        StoredImage app = stored(image("example.com/app").dependency(new Dependency("example.com/base", id, null, null)), store);

        ImageException e = assertThrows(ImageException.class, () -> store.render(app.id()));

        assertEquals("dependency \"example.com/base\" " + id + " of image \"example.com/app\" is not in the store (fetch it first)",
                e.getMessage());
    }

    @Test
    void render_dependencyCycle_refused() throws Exception {
        ImageStore store = ImageStore.open(data);
        stored(image("example.com/a").dependency("example.com/b").file("a", "a"), store);
        stored(image("example.com/b").dependency("example.com/c").file("b", "b"), store);
        StoredImage c = stored(image("example.com/c").dependency("example.com/a").file("c", "c"), store);

        ImageException e = assertThrows(ImageException.class, () -> store.render(c.id()));

        assertEquals("image \"example.com/c\": dependency cycle: example.com/c -> example.com/a -> example.com/b -> example.com/c",
                e.getMessage());
    }

    @Test
    void render_dependencyOnItself_refusedAsACycle() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage a = stored(image("example.com/a").dependency("example.com/a"), store);

        ImageException e = assertThrows(ImageException.class, () -> store.render(a.id()));

        assertEquals("image \"example.com/a\": dependency cycle: example.com/a -> example.com/a", e.getMessage());
    }

    @Test
    void render_tooManyLayers_refused() throws Exception {
        ImageStore store = ImageStore.open(data);
        // each level lists the next one twice: 2^9 layers from 9 small images
        stored(image("example.com/l9").file("x", "9"), store);
        StoredImage top = null;
        for (int level = 8; level >= 0; level--) {
            String next = "example.com/l" + (level + 1);
            top = stored(image("example.com/l" + level).dependency(next).dependency(next), store);
        }
        StoredImage l0 = top;

        ImageException e = assertThrows(ImageException.class, () -> store.render(l0.id()));

        assertEquals("image \"example.com/l0\": its dependencies make more than 256 layers", e.getMessage());
    }

    /** A -> [B, C], C -> [D]: appc overrides in the order B, D, C, A (ace.md). */
    @Test
    void render_laterDependenciesAndTheImageOverride_inAppcOrder() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage b = stored(image("example.com/b").file("all", "b").file("bc", "b").file("bd", "b").file("only-b", "b"), store);
        StoredImage d = stored(image("example.com/d").file("all", "d").file("bd", "d").file("cd", "d"), store);
        StoredImage c = stored(image("example.com/c").dependency("example.com/d").file("all", "c").file("bc", "c").file("cd", "c"), store);
        StoredImage a = stored(image("example.com/a").dependency("example.com/b").dependency("example.com/c").file("all", "a"), store);

        Path rootfs = store.render(a.id());

        assertEquals("a", read(rootfs.resolve("all")));
        assertEquals("c", read(rootfs.resolve("bc")));
        assertEquals("d", read(rootfs.resolve("bd")));
        assertEquals("c", read(rootfs.resolve("cd")));
        assertEquals("b", read(rootfs.resolve("only-b")));
        // rkt's tree key: sha512 over the comma-joined keys, highest layer first, cut to 64 hex
        assertEquals(treeKey(a, c, d, b), rootfs.getParent().getFileName().toString());
    }

    /** A -> [B, C], B -> [D], C -> [D]: the override order is D, B, D, C, A, so the D under C covers B. */
    @Test
    void render_commonDependencyReachedTwice_isALayerTwice() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage d = stored(image("example.com/d").file("d", "d").file("bd", "d"), store);
        StoredImage b = stored(image("example.com/b").dependency("example.com/d").file("bd", "b").file("b", "b"), store);
        StoredImage c = stored(image("example.com/c").dependency("example.com/d").file("c", "c"), store);
        StoredImage a = stored(image("example.com/a").dependency("example.com/b").dependency("example.com/c"), store);

        Path rootfs = store.render(a.id());

        assertEquals(treeKey(a, c, d, b, d), rootfs.getParent().getFileName().toString());
        assertEquals("d", read(rootfs.resolve("bd")));
        assertEquals("b", read(rootfs.resolve("b")));
        assertEquals("d", read(rootfs.resolve("d")));
        assertEquals("c", read(rootfs.resolve("c")));
    }

    @Test
    void render_pathWhitelist_onlyListedPathsAndTheirDirectoriesSurvive() throws Exception {
        ImageStore store = ImageStore.open(data);
        stored(image("example.com/base").file("etc/keep", "k").file("etc/drop", "d").file("bin/sh", "sh")
                .file("usr/share/doc", "d").dir("var/empty"), store);
        StoredImage app = stored(image("example.com/app").dependency("example.com/base")
                .pathWhitelist("/etc/keep", "/bin/sh", "/app/listed", "/var/empty/").file("app/listed", "l").file("app/unlisted", "u"), store);

        Path rootfs = store.render(app.id());

        assertEquals(List.of("app", "app/listed", "bin", "bin/sh", "etc", "etc/keep", "var", "var/empty"), listing(rootfs));
    }

    @Test
    void render_whitelistOfADependency_filtersItsOwnBranchOnly() throws Exception {
        ImageStore store = ImageStore.open(data);
        stored(image("example.com/d").file("b1", "d").file("d2", "d"), store);
        stored(image("example.com/b").dependency("example.com/d").pathWhitelist("/b1", "/b2").file("b2", "b").file("b3", "b"), store);
        stored(image("example.com/c").file("c1", "c"), store);
        StoredImage a = stored(image("example.com/a").dependency("example.com/b").dependency("example.com/c").file("a1", "a"), store);

        Path rootfs = store.render(a.id());

        assertEquals(List.of("a1", "b1", "b2", "c1"), listing(rootfs));
    }

    @Test
    void render_symlinkToADirectoryBelow_isReplacedNeverFollowed() throws Exception {
        ImageStore store = ImageStore.open(data);
        stored(image("example.com/base").dir("usr/lib").file("usr/lib/base-lib", "b").symlink("lib", "usr/lib"), store);
        StoredImage app = stored(image("example.com/app").dependency("example.com/base").file("lib/app-lib", "a"), store);

        Path rootfs = store.render(app.id());

        assertTrue(Files.isDirectory(rootfs.resolve("lib"), NOFOLLOW));
        assertEquals(List.of("app-lib"), names(rootfs.resolve("lib")));
        assertEquals(List.of("base-lib"), names(rootfs.resolve("usr/lib")));
    }

    @Test
    void render_symlinkAbove_hidesWhatLowerLayersHaveBelowIt() throws Exception {
        ImageStore store = ImageStore.open(data);
        stored(image("example.com/base").file("lib/base-lib", "b").file("usr/lib/real", "r"), store);
        StoredImage app = stored(image("example.com/app").dependency("example.com/base").symlink("lib", "usr/lib"), store);

        Path rootfs = store.render(app.id());

        assertEquals(Path.of("usr/lib"), Files.readSymbolicLink(rootfs.resolve("lib")));
        assertEquals(List.of("real"), names(rootfs.resolve("usr/lib")));
    }

    @Test
    void render_hardLinkWhoseTargetAHigherLayerReplaced_keepsItsOwnContent() throws Exception {
        ImageStore store = ImageStore.open(data);
        stored(image("example.com/base").file("bin/busybox", "base busybox".getBytes(StandardCharsets.UTF_8), 0755)
                .hardlink("bin/ls", "bin/busybox").hardlink("bin/cat", "bin/busybox"), store);
        StoredImage app = stored(image("example.com/app").dependency("example.com/base")
                .file("bin/busybox", "app busybox".getBytes(StandardCharsets.UTF_8), 0700), store);

        Path rootfs = store.render(app.id());

        assertEquals("app busybox", read(rootfs.resolve("bin/busybox")));
        assertEquals("base busybox", read(rootfs.resolve("bin/ls")));
        assertEquals(Files.getAttribute(rootfs.resolve("bin/ls"), "unix:ino"), Files.getAttribute(rootfs.resolve("bin/cat"), "unix:ino"));
        assertNotEquals(Files.getAttribute(rootfs.resolve("bin/ls"), "unix:ino"), Files.getAttribute(rootfs.resolve("bin/busybox"), "unix:ino"));
        assertEquals(0755, (Integer) Files.getAttribute(rootfs.resolve("bin/ls"), "unix:mode") & 07777);
    }

    @Test
    void render_hardLinkWhoseTargetIsNotWhitelisted_getsTheContent() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage image = stored(image("example.com/tools").pathWhitelist("/bin/ls")
                .file("bin/busybox", "bb".getBytes(StandardCharsets.UTF_8), 0755).hardlink("bin/ls", "bin/busybox"), store);

        Path rootfs = store.render(image.id());

        assertEquals(List.of("bin", "bin/ls"), listing(rootfs));
        assertEquals("bb", read(rootfs.resolve("bin/ls")));
    }

    @Test
    void render_directoryInSeveralLayers_takesTheHighestExplicitEntry() throws Exception {
        ImageStore store = ImageStore.open(data);
        stored(image("example.com/base").modTime(T1).dir("etc", 0700).dir("opt", 0750).file("opt/base", "b"), store);
        // app has its own etc/ entry, and an opt/ only implied by the file below it
        StoredImage app = stored(image("example.com/app").dependency("example.com/base")
                .modTime(T2).dir("etc", 0755).file("opt/app", "a"), store);

        Path rootfs = store.render(app.id());

        assertEquals(0755, (Integer) Files.getAttribute(rootfs.resolve("etc"), "unix:mode") & 07777);
        assertEquals(FileTime.from(T2), Files.getLastModifiedTime(rootfs.resolve("etc")));
        assertEquals(0750, (Integer) Files.getAttribute(rootfs.resolve("opt"), "unix:mode") & 07777);
        assertEquals(FileTime.from(T1), Files.getLastModifiedTime(rootfs.resolve("opt")));
        assertEquals(List.of("app", "base"), names(rootfs.resolve("opt")));
    }

    @Test
    void render_newDependencyVersion_rendersANewTree() throws Exception {
        ImageStore store = ImageStore.open(data);
        stored(image("example.com/base").file("v", "1"), store);
        StoredImage app = stored(image("example.com/app").dependency("example.com/base"), store);
        Path first = store.render(app.id());
        stored(image("example.com/base").file("v", "2"), store);

        Path second = store.render(app.id());

        assertNotEquals(first, second);
        assertEquals("1", read(first.resolve("v")));
        assertEquals("2", read(second.resolve("v")));
    }

    @Test
    void remove_imageWithDependencies_deletesEveryTreeRenderedForIt() throws Exception {
        ImageStore store = ImageStore.open(data);
        StoredImage base = stored(image("example.com/base").file("v", "1"), store);
        StoredImage app = stored(image("example.com/app").dependency("example.com/base"), store);
        store.render(app.id());
        stored(image("example.com/base").file("v", "2"), store);
        store.render(app.id());
        store.render(base.id());

        store.remove(app.id());

        try (Stream<Path> trees = Files.list(data.resolve("cas/tree"))) {
            assertEquals(List.of(treeKey(base)), trees.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static String treeKey(StoredImage... closure) throws Exception {
        String keys = Stream.of(closure).map(i -> i.id().toString()).collect(Collectors.joining(","));
        byte[] digest = MessageDigest.getInstance("SHA-512").digest(keys.getBytes(StandardCharsets.UTF_8));
        return "deps-sha512-" + HexFormat.of().formatHex(digest).substring(0, 64);
    }

    /** Every path under {@code root}, relative and sorted. */
    private static List<String> listing(Path root) throws Exception {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> paths = Files.list(dir)) {
            return paths.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void render_sameDependencyTwiceAtOneLevel_ownFilesWin() throws Exception {
        ImageStore store = ImageStore.open(data);
        stored(image("example.com/base").file("f", "base"), store);
        StoredImage app = stored(image("example.com/app").dependency("example.com/base").dependency("example.com/base").file("g", "app"), store);

        Path rootfs = store.render(app.id());

        assertEquals("base", read(rootfs.resolve("f")));
        assertEquals("app", read(rootfs.resolve("g")));
    }
}
