package dev.rktj.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rktj.kernel.fs.MountTable;
import dev.rktj.kernel.spi.BlobDescriptor;
import dev.rktj.kernel.testing.AciBuilder;
import dev.rktj.kernel.testing.AciBuilder.Compression;
import dev.rktj.kernel.testing.StoreSnapshot;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store under pressure: several processes importing one image, a disk that fills up mid-import. */
class StoreFailureTest {

    private static final int PROCESSES = 4;

    @TempDir
    Path tmp;

    /** An image of {@code mib} MiB of incompressible data, so its stored tar is at least that big. */
    private static AciBuilder noise(String name, int mib) {
        byte[] noise = new byte[mib * 1024 * 1024];
        new Random(mib).nextBytes(noise);
        return AciBuilder.image(name).file("noise", noise, 0644).compression(Compression.GZIP);
    }

    @Test
    void import_sameImageFromSeveralProcessesAtOnce_storedOnceAndAllSucceed() throws Exception {
        Path data = tmp.resolve("data");
        ImageStore.open(data);
        Path aci = noise("example.com/shared", 4).writeTo(tmp.resolve("shared.aci"));
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> children = new ArrayList<>();
        List<BufferedReader> outputs = new ArrayList<>();
        try {
            for (int i = 0; i < PROCESSES; i++) {
                Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                        ImportInAnotherProcess.class.getName(), data.toString(), aci.toString())
                        .redirectErrorStream(true).start();
                children.add(child);
                outputs.add(new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)));
            }
            for (BufferedReader out : outputs) {
                assertEquals("ready", out.readLine());
            }
            // every process has its JVM up and its store open: let them all go at once
            for (Process child : children) {
                try (OutputStream in = child.getOutputStream()) {
                    in.write('\n');
                }
            }
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < PROCESSES; i++) {
                String out = outputs.get(i).lines().collect(Collectors.joining("\n"));
                assertTrue(children.get(i).waitFor(120, TimeUnit.SECONDS));
                assertEquals(0, children.get(i).exitValue(), out);
                ids.add(out);
            }
            assertEquals(1, ids.stream().distinct().count(), ids.toString());
            ImageStore store = ImageStore.open(data);
            ImageId id = ImageId.parse(ids.get(0));
            assertEquals(List.of(store.blobPath(id)), filesUnder(data.resolve("cas/blob")));
            assertEquals(List.of(store.manifestPath(id)), filesUnder(data.resolve("cas/imageManifest")));
            assertEquals(1, filesUnder(data.resolve("cas/db")).size());
            assertEquals(List.of(), filesUnder(data.resolve("cas/tmp")));
            assertEquals(List.of(id), store.list().stream().map(StoredImage::id).toList());
            assertEquals(id, ImageId.ofDigest(AciFixturesTest.sha512(Files.readAllBytes(store.blobPath(id)))));
        } finally {
            children.forEach(Process::destroyForcibly);
        }
    }

    @Test
    void import_diskFillsUpWhileStaging_oneLineAndNothingLeft() throws Exception {
        onSmallDisk(small -> {
            ImageStore store = ImageStore.open(small);
            TreeMap<String, String> before = StoreSnapshot.of(small);
            byte[] tooBig = noise("example.com/big", 3).toBytes();

            IOException e = assertThrows(IOException.class, () -> store.stagingSink().write(new ByteArrayInputStream(tooBig)));

            assertEquals("no space left on device while storing the image in " + small.resolve("cas/tmp"), e.getMessage());
            assertEquals(before, StoreSnapshot.of(small));
            assertEquals(List.of(), store.list());
            // nothing is lost for the next image: one that fits imports and renders
            StoredImage fits = AciBuilder.image("example.com/fits").file("x", "x").importInto(store);
            assertEquals("x", Files.readString(store.render(fits.id()).resolve("x")));
        });
    }

    @Test
    void commit_diskFullAfterStaging_takesBackTheBlobAndLeavesNothing() throws Exception {
        onSmallDisk(small -> {
            ImageStore store = ImageStore.open(small);
            BlobDescriptor staged = store.stagingSink().write(new ByteArrayInputStream(noise("example.com/one", 1).toBytes()));
            Path filler = small.resolve("filler");
            fill(filler);

            ImageException e = assertThrows(ImageException.class, () -> store.commit(staged, "x", null));

            assertEquals("cannot store image " + staged.imageId() + ": no space left on device", e.getMessage());
            Files.delete(filler);
            assertEquals(List.of(), filesBesideLocks(small));
            assertEquals(List.of(), store.list());
        });
    }

    @Test
    void commit_recordCannotBeWritten_takesBackBlobAndManifest() throws Exception {
        Path data = tmp.resolve("data");
        ImageStore store = ImageStore.open(data);
        BlobDescriptor staged = store.stagingSink().write(new ByteArrayInputStream(AciBuilder.image("example.com/a").toBytes()));
        // the records directory replaced by a file: writing the record fails after blob and manifest are in
        Path records = data.resolve("cas/db/images");
        Files.delete(records);
        Files.writeString(records, "not a directory");

        assertThrows(ImageException.class, () -> store.commit(staged, "x", null));

        Files.delete(records);
        Files.createDirectory(records);
        assertEquals(List.of(), filesBesideLocks(data));
        assertEquals(List.of(), store.list());
    }

    /**
     * Every file of the store but its lock files. Empty fan-out directories may stay: removing one
     * could pull it from under another process committing an image with the same two first digits.
     */
    private static List<Path> filesBesideLocks(Path data) throws IOException {
        return filesUnder(data).stream().filter(p -> !p.startsWith(data.resolve("cas/locks"))).toList();
    }

    private interface OnSmallDisk {
        void run(Path dataDir) throws Exception;
    }

    /** Runs {@code test} with a 2 MiB tmpfs as its data dir, unmounted before anything is deleted. */
    private void onSmallDisk(OnSmallDisk test) throws Exception {
        assumeTrue(TarExtractor.runningAsRoot(), "mounting a small tmpfs needs root");
        Path small = Files.createDirectory(tmp.resolve("small"));
        mount(small);
        try {
            test.run(small);
        } finally {
            unmount(small);
        }
    }

    /** Writes until the file system is full. */
    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            assertTrue(Failures.isDiskFull(full), full.toString());
        }
    }

    private static void mount(Path dir) throws Exception {
        run("mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", dir.toString());
        assertEquals(List.of(dir.toString()), MountTable.mountsUnder(dir));
    }

    /** Always unmounted before @TempDir deletes anything; lazily if something still holds it. */
    private static void unmount(Path dir) throws Exception {
        if (run("umount", dir.toString()) != 0) {
            run("umount", "-l", dir.toString());
        }
        assertEquals(List.of(), MountTable.mountsUnder(dir));
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return p.exitValue();
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
