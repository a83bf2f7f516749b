package dev.rktj.fetch.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rktj.kernel.spi.BlobDescriptor;
import dev.rktj.kernel.spi.FetchContext;
import dev.rktj.kernel.spi.FetchException;
import dev.rktj.kernel.spi.FetchedImage;
import dev.rktj.kernel.spi.HashingBlobSink;
import dev.rktj.kernel.spi.ImageFetcherContractTest.RecordingLog;
import dev.rktj.kernel.spi.ImageRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileFetcherTest {

    @TempDir
    Path dir;

    private final FileFetcher fetcher = new FileFetcher();
    private final HashingBlobSink sink = new HashingBlobSink();
    private final HashingBlobSink signedSink = HashingBlobSink.wantingSignature();
    private final RecordingLog log = new RecordingLog();

    private static ImageRef file(Path path) {
        return new ImageRef(path.toString(), ImageRef.Kind.FILE, path.toString());
    }

    private FetchedImage fetch(Path path) throws FetchException {
        return fetcher.fetch(file(path), new FetchContext(sink, Set.of(), true, log));
    }

    @Test
    void fetch_imageFile_streamsItsBytesIntoTheSink() throws Exception {
        byte[] content = "image bytes".getBytes(StandardCharsets.UTF_8);
        Path image = Files.write(dir.resolve("app.aci"), content);

        FetchedImage fetched = fetch(image);

        assertEquals(new BlobDescriptor(HashingBlobSink.imageIdOf(content), content.length), fetched.blob());
        assertEquals(image.toString(), fetched.source());
    }

    @Test
    void fetch_imageFile_logsWhereTheImageComesFrom() throws Exception {
        Path image = Files.write(dir.resolve("app.aci"), new byte[] {1});

        fetch(image);

        assertEquals(List.of("image: using image from file " + image), log.debug());
    }

    @Test
    void fetch_namedPipe_readsWhatIsWrittenToIt() throws Exception {
        Path pipe = dir.resolve("pipe.aci");
        assertEquals(0, new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor());
        byte[] content = "image bytes through a pipe".getBytes(StandardCharsets.UTF_8);
        Thread writer = new Thread(() -> {
            try {
                Files.write(pipe, content);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        // as the decompressors do: they ask how much is buffered, which a pipe's channel cannot say
        dev.rktj.kernel.spi.BlobSink asking = archive -> {
            archive.available();
            byte[] all = archive.readAllBytes();
            return new BlobDescriptor(HashingBlobSink.imageIdOf(all), all.length);
        };

        FetchedImage fetched = fetcher.fetch(file(pipe), new FetchContext(asking, Set.of(), false, log));

        writer.join(10_000);
        assertEquals(new BlobDescriptor(HashingBlobSink.imageIdOf(content), content.length), fetched.blob());
    }

    @Test
    void fetch_missingFile_saysSoInOneLine() {
        Path missing = dir.resolve("missing.aci");

        FetchException e = assertThrows(FetchException.class, () -> fetch(missing));

        assertEquals("unable to open image file \"" + missing + "\": no such file", e.getMessage());
    }

    @Test
    void fetch_directory_isRefused() {
        FetchException e = assertThrows(FetchException.class, () -> fetch(dir));

        assertEquals("unable to open image file \"" + dir + "\": it is a directory", e.getMessage());
    }

    @Test
    void fetch_relativePath_isRefused() {
        ImageRef ref = new ImageRef("app.aci", ImageRef.Kind.FILE, "app.aci");

        FetchException e = assertThrows(FetchException.class,
                () -> fetcher.fetch(ref, new FetchContext(sink, Set.of(), false, log)));

        assertEquals("image file path \"app.aci\" is not absolute", e.getMessage());
    }

    private FetchedImage fetchWantingSignature(Path path) throws FetchException {
        return fetcher.fetch(file(path), new FetchContext(signedSink, Set.of(), false, log));
    }

    @Test
    void fetch_signatureNextToTheImage_handedToTheSinkWithTheImage() throws Exception {
        Path image = Files.write(dir.resolve("app.aci"), new byte[] {1, 2, 3});
        byte[] signature = "-----BEGIN PGP SIGNATURE-----".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("app.aci.asc"), signature);

        FetchedImage fetched = fetchWantingSignature(image);

        assertArrayEquals(signature, signedSink.signature());
        assertArrayEquals(signature, fetched.signature());
        assertEquals(1, signedSink.writes());
    }

    @Test
    void fetch_imageNotNamedAci_findsRktsAciAscSignature() throws Exception {
        Path image = Files.write(dir.resolve("app.tar"), new byte[] {1, 2, 3});
        byte[] signature = "sig".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("app.tar.aci.asc"), signature);

        assertArrayEquals(signature, fetchWantingSignature(image).signature());
    }

    @Test
    void fetch_signatureWantedButMissing_rktsErrorNamingTheFileAndNothingStreamed() throws Exception {
        Path image = Files.write(dir.resolve("app.tar"), new byte[] {1, 2, 3});

        FetchException e = assertThrows(FetchException.class, () -> fetchWantingSignature(image));

        assertEquals("error opening signature file: open " + dir.resolve("app.tar.aci.asc") + ": no such file or directory"
                + " (sign the image, or use it unverified with --insecure-options=image)", e.getMessage());
        assertEquals(0, signedSink.writes());
    }

    @Test
    void fetch_signatureNotWanted_isNotRead() throws Exception {
        Path image = Files.write(dir.resolve("app.aci"), new byte[] {1, 2, 3});
        Files.write(dir.resolve("app.aci.asc"), "sig".getBytes(StandardCharsets.UTF_8));

        assertNull(fetch(image).signature());
        assertNull(sink.signature());
        assertEquals(1, sink.writes());
    }

    @Test
    void handles_onlyFiles() {
        assertEquals(true, fetcher.handles(file(Path.of("/a.aci"))));
        for (ImageRef.Kind kind : ImageRef.Kind.values()) {
            if (kind != ImageRef.Kind.FILE) {
                assertEquals(false, fetcher.handles(new ImageRef("x", kind, "x")), kind.toString());
            }
        }
    }
}
