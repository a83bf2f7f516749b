package dev.rktj.stage1.fly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rktj.kernel.spi.Stage1Exception;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePathsTest {

    @TempDir
    Path tree;

    @Test
    void resolveDirectory_plainDirectory_isItself() throws Exception {
        Files.createDirectories(tree.resolve("a/b"));

        assertEquals("/a/b", ImagePaths.resolveDirectory(tree, "/a/b/"));
    }

    @Test
    void resolveDirectory_emptyOrRoot_isRoot() throws Exception {
        assertEquals("/", ImagePaths.resolveDirectory(tree, ""));
        assertEquals("/", ImagePaths.resolveDirectory(tree, "/"));
    }

    @Test
    void resolveDirectory_dotDotAboveTheRoot_stopsAtTheRoot() throws Exception {
        Files.createDirectories(tree.resolve("a"));

        assertEquals("/a", ImagePaths.resolveDirectory(tree, "/../../a/./"));
    }

    @Test
    void resolveDirectory_absoluteSymlink_isReadInsideTheImage() throws Exception {
        Files.createDirectories(tree.resolve("srv/www"));
        Files.createSymbolicLink(tree.resolve("www"), Path.of("/srv/www"));

        assertEquals("/srv/www", ImagePaths.resolveDirectory(tree, "/www"));
    }

    @Test
    void resolveDirectory_relativeSymlinkClimbingOut_staysInTheImage() throws Exception {
        Files.createDirectories(tree.resolve("a"));
        // on the host this climbs out of the tree (to a name that does not exist there); in the
        // image it is /rktj-outside
        Files.createSymbolicLink(tree.resolve("a/out"), Path.of("../../../../../../../rktj-outside"));
        Files.createDirectories(tree.resolve("rktj-outside"));

        assertEquals("/rktj-outside", ImagePaths.resolveDirectory(tree, "/a/out"));
    }

    @Test
    void resolveDirectory_missing_isRefusedNamingIt() {
        Stage1Exception e = assertThrows(Stage1Exception.class, () -> ImagePaths.resolveDirectory(tree, "/x"));

        assertEquals("stage1 fly: working directory \"/x\" does not exist in the image", e.getMessage());
    }

    @Test
    void resolveDirectory_aFile_isRefused() throws Exception {
        Files.writeString(tree.resolve("file"), "");

        assertThrows(Stage1Exception.class, () -> ImagePaths.resolveDirectory(tree, "/file"));
    }

    @Test
    void resolveDirectory_symlinkLoop_isRefused() throws Exception {
        Files.createSymbolicLink(tree.resolve("loop"), Path.of("/loop"));

        Stage1Exception e = assertThrows(Stage1Exception.class, () -> ImagePaths.resolveDirectory(tree, "/loop"));
        assertEquals("stage1 fly: working directory \"/loop\" has too many levels of symbolic links in the image",
                e.getMessage());
    }

    @Test
    void resolveDirectory_relativePath_isRefused() {
        Stage1Exception e = assertThrows(Stage1Exception.class, () -> ImagePaths.resolveDirectory(tree, "work"));

        assertEquals("stage1 fly: working directory \"work\" is not an absolute path", e.getMessage());
    }
}
