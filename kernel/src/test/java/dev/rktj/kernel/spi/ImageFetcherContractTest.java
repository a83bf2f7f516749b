package dev.rktj.kernel.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every image fetcher owes the kernel (see {@link ImageFetcher}): a fetcher plugin's
 * test extends this class and supplies the fetcher and two sample image references.
 */
public abstract class ImageFetcherContractTest {

    /** A new instance of the fetcher under test. */
    protected abstract ImageFetcher newFetcher();

    /**
     * An image the fetcher handles and can fetch from this machine (no network in CI: serve it
     * locally if needed), without a detached signature; {@code workDir} is an empty directory to
     * put files in.
     */
    protected abstract ImageRef handledRef(Path workDir) throws Exception;

    /**
     * An image the fetcher handles whose detached signature, {@code signature}, it can find; null
     * for a fetcher that never brings signatures (the kernel then refuses its images unless the
     * user turns verification off).
     */
    protected ImageRef signedRef(Path workDir, byte[] signature) throws Exception {
        return null;
    }

    /** An image the fetcher does not handle. */
    protected abstract ImageRef unhandledRef();

    @TempDir
    Path contractWorkDir;

    @Test
    void handles_sampleItHandles_isTrue() throws Exception {
        assertTrue(newFetcher().handles(handledRef(contractWorkDir)));
    }

    @Test
    void handles_sampleItDoesNotHandle_isFalse() {
        assertFalse(newFetcher().handles(unhandledRef()));
    }

    @Test
    void fetch_sample_streamsIntoTheSinkOnceAndReportsTheSource() throws Exception {
        ImageRef ref = handledRef(contractWorkDir);
        HashingBlobSink sink = new HashingBlobSink();

        FetchedImage image = newFetcher().fetch(ref, context(sink, new RecordingLog()));

        assertNotNull(image);
        assertEquals(1, sink.writes(), "the fetcher must write the image into the sink exactly once");
        assertTrue(sink.bytes() > 0, "the sink got no bytes");
        assertEquals(sink.descriptor(), image.blob(), "the blob must be what the sink returned");
        assertNotNull(image.source());
        assertFalse(image.source().isBlank(), "the source is recorded in the journal");
    }

    @Test
    void fetch_signatureWantedAndThere_handedToTheSinkWithTheArchive() throws Exception {
        byte[] signature = "-----BEGIN PGP SIGNATURE-----\n\nnot checked here\n-----END PGP SIGNATURE-----\n".getBytes();
        ImageRef ref = signedRef(contractWorkDir, signature);
        Assumptions.assumeTrue(ref != null, "this fetcher brings no signatures");
        HashingBlobSink sink = HashingBlobSink.wantingSignature();

        FetchedImage image = newFetcher().fetch(ref, context(sink, new RecordingLog()));

        assertEquals(1, sink.writes());
        assertArrayEquals(signature, sink.signature(), "the signature goes to the sink with the archive, in the same write");
        assertEquals(sink.descriptor(), image.blob());
    }

    @Test
    void fetch_signatureWantedButNone_errorOpeningSignatureFileBeforeStreaming() throws Exception {
        ImageRef ref = handledRef(contractWorkDir);
        HashingBlobSink sink = HashingBlobSink.wantingSignature();

        FetchException e = assertThrows(FetchException.class, () -> newFetcher().fetch(ref, context(sink, new RecordingLog())));

        assertTrue(e.getMessage().startsWith("error opening signature file"), e.getMessage());
        assertOneLine(e.getMessage());
        assertEquals(0, sink.writes(), "nothing is streamed for an image that cannot be verified");
    }

    @Test
    void fetch_sinkFailingWithIoError_surfacesAsFetchException() throws Exception {
        ImageRef ref = handledRef(contractWorkDir);
        BlobSink failing = archive -> {
            throw new IOException("no space left on device");
        };

        FetchException e = assertThrows(FetchException.class,
                () -> newFetcher().fetch(ref, context(failing, new RecordingLog())));
        assertOneLine(e.getMessage());
    }

    @Test
    void fetch_sinkRefusingTheArchive_surfacesAsFetchException() throws Exception {
        ImageRef ref = handledRef(contractWorkDir);
        BlobSink refusing = (InputStream archive) -> {
            throw new FetchException("image archive is not a tar");
        };

        FetchException e = assertThrows(FetchException.class,
                () -> newFetcher().fetch(ref, context(refusing, new RecordingLog())));
        assertOneLine(e.getMessage());
    }

    /**
     * A fetch context with no insecure options and no debug; a fetcher that needs what the kernel
     * lends remote fetchers ({@link RemoteAccess}) overrides this to supply it.
     */
    protected FetchContext context(BlobSink sink, FetchContext.Log log) {
        return new FetchContext(sink, Set.of(), false, log);
    }

    private static void assertOneLine(String message) {
        assertNotNull(message);
        assertFalse(message.isBlank(), "empty message");
        assertFalse(message.contains("\n"), "a user message is one line: " + message);
    }

    /** Keeps what a fetcher tells the user. */
    public static final class RecordingLog implements FetchContext.Log {
        private final List<String> info = new ArrayList<>();
        private final List<String> debug = new ArrayList<>();

        @Override
        public void info(String line) {
            info.add(line);
        }

        @Override
        public void debug(String line) {
            debug.add(line);
        }

        public List<String> info() {
            return info;
        }

        public List<String> debug() {
            return debug;
        }
    }
}
