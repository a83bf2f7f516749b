package dev.rktj.fetch.https;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.remote.SharedVertx;
import dev.rktj.kernel.spi.BlobSink;
import dev.rktj.kernel.spi.FetchContext;
import dev.rktj.kernel.spi.FetchException;
import dev.rktj.kernel.spi.FetchedImage;
import dev.rktj.kernel.spi.HashingBlobSink;
import dev.rktj.kernel.spi.ImageFetcherContractTest.RecordingLog;
import dev.rktj.kernel.spi.ImageRef;
import dev.rktj.kernel.spi.RemoteAccess;
import dev.rktj.kernel.testing.TestHttpsServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The https fetcher against a real HTTPS server on 127.0.0.1 with an openssl-made certificate;
 * test names resolve through {@code src/test/resources/hosts} ({@code jdk.net.hosts.file}, set by
 * the pom), and the JVM trusts the certificate through {@code javax.net.ssl.trustStore}.
 */
class HttpsFetcherTest {

    @TempDir
    static Path certDir;

    static TestHttpsServer server;
    static SharedVertx vertx = new SharedVertx();

    private final HttpsFetcher fetcher = new HttpsFetcher();
    private final RecordingLog log = new RecordingLog();
    private final byte[] image = randomBytes(3 << 20, 1);
    private final byte[] signature = "-----BEGIN PGP SIGNATURE-----\n\nsig\n-----END PGP SIGNATURE-----\n".getBytes(StandardCharsets.UTF_8);

    @BeforeAll
    static void startServer() throws Exception {
        server = TestHttpsServer.start(certDir, true);
        System.setProperty("javax.net.ssl.trustStore", server.trustStore().toString());
        System.setProperty("javax.net.ssl.trustStorePassword", TestHttpsServer.TRUST_STORE_PASSWORD);
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        System.setProperty("rktj.discovery.https-port", Integer.toString(server.port()));
        System.setProperty("rktj.http.timeout", "3");
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
        vertx.close();
    }

    @BeforeEach
    void clearRoutes() {
        // each test serves what it needs under its own paths; requests are filtered by path
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private FetchContext context(BlobSink sink, Set<String> insecure, RemoteAccess access) {
        return new FetchContext(sink, insecure, false, log, access);
    }

    private static RemoteAccess access(boolean update, RemoteAccess.Records records, RemoteAccess.Credentials credentials,
                                       RemoteAccess.Keys keys) {
        return new RemoteAccess(update, type -> type == Vertx.class ? vertx.get() : null, records, credentials, keys);
    }

    private static RemoteAccess plain() {
        return access(false, url -> Optional.empty(), url -> Map.of(), (n, u) -> { });
    }

    private static ImageRef url(String url) {
        return new ImageRef(url, url.startsWith("https") ? ImageRef.Kind.HTTPS : ImageRef.Kind.HTTP, url);
    }

    @Test
    void fetch_httpsUrl_signatureFirstThenTheImageStreamedWhole() throws Exception {
        server.serve("example.test", "/a/app.aci", image, Map.of("ETag", "\"v1\"", "Cache-Control", "max-age=60"));
        server.serve("example.test", "/a/app.aci.asc", signature, Map.of());
        HashingBlobSink sink = HashingBlobSink.wantingSignature();

        FetchedImage f = fetcher.fetch(url(server.url("example.test", "/a/app.aci")), context(sink, Set.of(), plain()));

        assertEquals(HashingBlobSink.imageIdOf(image), f.blob().imageId());
        assertArrayEquals(signature, sink.signature());
        assertEquals("\"v1\"", f.remote().etag());
        assertEquals(60, f.remote().maxAgeSeconds());
        assertFalse(f.remote().reused());
        List<String> order = server.requests().stream().map(TestHttpsServer.Request::path).filter(p -> p.startsWith("/a/")).toList();
        assertEquals(List.of("/a/app.aci.asc", "/a/app.aci"), order, "the signature is fetched before the image");
    }

    @Test
    void fetch_signatureMissing_errorOpeningSignatureFileAndNoImageRequest() {
        server.serve("example.test", "/nosig/app.aci", image, Map.of());
        HashingBlobSink sink = HashingBlobSink.wantingSignature();

        FetchException e = assertThrows(FetchException.class,
                () -> fetcher.fetch(url(server.url("example.test", "/nosig/app.aci")), context(sink, Set.of(), plain())));

        assertTrue(e.getMessage().startsWith("error opening signature file: "), e.getMessage());
        assertTrue(e.getMessage().contains("404"), e.getMessage());
        assertEquals(0, sink.writes());
        assertEquals(List.of(), server.requests("/nosig/app.aci"));
    }

    @Test
    void fetch_storedRecordWithEtag_updateSendsIfNoneMatch_and304ReusesTheStoredBlob() throws Exception {
        server.route("example.test", "/etag/app.aci", req -> {
            if ("\"v7\"".equals(req.getHeader("If-None-Match"))) {
                req.response().setStatusCode(304).putHeader("ETag", "\"v7\"").end();
            } else {
                req.response().putHeader("ETag", "\"v7\"").end(Buffer.buffer(image));
            }
        });
        String u = server.url("example.test", "/etag/app.aci");
        RemoteAccess.Remote stored = new RemoteAccess.Remote(u, "sha512-" + "a".repeat(64), 10, "\"v7\"", 0, Instant.now());
        HashingBlobSink sink = new HashingBlobSink();

        FetchedImage f = fetcher.fetch(url(u), context(sink, Set.of(), access(true, x -> Optional.of(stored), x -> Map.of(), (n, k) -> { })));

        assertTrue(f.remote().reused());
        assertEquals(stored.blob(), f.blob());
        assertEquals(0, sink.writes(), "a 304 downloads nothing");
        assertEquals("\"v7\"", server.requests("/etag/app.aci").get(0).headers().get("if-none-match"));
    }

    @Test
    void fetch_recordStillFreshByMaxAge_updateDoesNotAskTheServer() throws Exception {
        String u = server.url("example.test", "/fresh/app.aci");
        RemoteAccess.Remote stored = new RemoteAccess.Remote(u, "sha512-" + "b".repeat(64), 10, null, 3600, Instant.now());

        FetchedImage f = fetcher.fetch(url(u), context(new HashingBlobSink(), Set.of(),
                access(true, x -> Optional.of(stored), x -> Map.of(), (n, k) -> { })));

        assertTrue(f.remote().reused());
        assertEquals(List.of(), server.requests("/fresh/app.aci"));
        assertEquals(List.of("image for " + u + " isn't expired, not fetching."), log.info());
    }

    @Test
    void fetch_recordExpired_updateDownloadsAgain() throws Exception {
        server.serve("example.test", "/expired/app.aci", image, Map.of());
        String u = server.url("example.test", "/expired/app.aci");
        RemoteAccess.Remote stored = new RemoteAccess.Remote(u, "sha512-" + "b".repeat(64), 10, null, 1,
                Instant.now().minusSeconds(5));
        HashingBlobSink sink = new HashingBlobSink();

        FetchedImage f = fetcher.fetch(url(u), context(sink, Set.of(), access(true, x -> Optional.of(stored), x -> Map.of(), (n, k) -> { })));

        assertFalse(f.remote().reused());
        assertEquals(HashingBlobSink.imageIdOf(image), f.blob().imageId());
    }

    @Test
    void fetch_connectionDroppedMidBody_resumesWithARangeRequest() throws Exception {
        int[] calls = {0};
        server.route("example.test", "/drop/app.aci", req -> {
            calls[0]++;
            String range = req.getHeader("Range");
            if (range == null) {
                req.response().putHeader("Content-Length", Integer.toString(image.length)).putHeader("ETag", "\"d1\"");
                req.response().write(Buffer.buffer(Arrays.copyOf(image, 1 << 20)))
                        .onComplete(x -> req.connection().close());
            } else {
                int from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
                req.response().setStatusCode(206).putHeader("ETag", "\"d1\"")
                        .putHeader("Content-Range", "bytes " + from + "-" + (image.length - 1) + "/" + image.length)
                        .end(Buffer.buffer(Arrays.copyOfRange(image, from, image.length)));
            }
        });
        HashingBlobSink sink = new HashingBlobSink();

        FetchedImage f = fetcher.fetch(url(server.url("example.test", "/drop/app.aci")), context(sink, Set.of(), plain()));

        assertEquals(HashingBlobSink.imageIdOf(image), f.blob().imageId(), "the resumed body is the whole image");
        List<TestHttpsServer.Request> reqs = server.requests("/drop/app.aci");
        assertEquals(2, reqs.size());
        assertTrue(reqs.get(1).headers().get("range").startsWith("bytes="), reqs.get(1).headers().toString());
        assertNotEqualsZero(Long.parseLong(reqs.get(1).headers().get("range").replaceAll("\\D", "")));
        assertEquals("\"d1\"", reqs.get(1).headers().get("if-range"));
    }

    private static void assertNotEqualsZero(long from) {
        assertTrue(from > 0, "the resume starts where the first body broke off");
    }

    @Test
    void fetch_truncatedBodyAndNoRangeSupport_failsInOneLine() {
        server.route("example.test", "/trunc/app.aci", req -> {
            req.response().putHeader("Content-Length", Integer.toString(image.length));
            req.response().write(Buffer.buffer(Arrays.copyOf(image, 1000))).onComplete(x -> req.connection().close());
        });

        FetchException e = assertThrows(FetchException.class, () ->
                fetcher.fetch(url(server.url("example.test", "/trunc/app.aci")), context(new HashingBlobSink(), Set.of(), plain())));

        assertOneLine(e.getMessage());
        assertTrue(e.getMessage().contains("closed before") || e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void fetch_bodyLongerThanDeclared_failsInOneLineAndTheSinkIsNotDone() {
        byte[] extra = "and then some more bytes than the Content-Length said\r\n".getBytes(StandardCharsets.US_ASCII);
        server.route("example.test", "/longer/app.aci", req -> {
            int tail = image.length - 100;
            req.response().putHeader("Content-Length", Integer.toString(image.length));
            req.response().write(Buffer.buffer(Arrays.copyOf(image, tail)));
            // the body's end and the excess in one write: they reach the client together
            req.response().write(Buffer.buffer(Arrays.copyOfRange(image, tail, image.length)).appendBytes(extra));
        });
        RecordingSink sink = new RecordingSink();

        FetchException e = assertThrows(FetchException.class, () ->
                fetcher.fetch(url(server.url("example.test", "/longer/app.aci")), context(sink, Set.of(), plain())));

        assertOneLine(e.getMessage());
        assertTrue(e.getMessage().endsWith("the body is longer than the " + image.length + " bytes the server declared (at least "
                + extra.length + " more)"), e.getMessage());
        assertFalse(sink.completed, "the sink never saw the body end");
    }

    /** A sink that reads the whole stream and says whether it reached its end. */
    private static final class RecordingSink implements BlobSink {
        boolean completed;

        @Override
        public dev.rktj.kernel.spi.BlobDescriptor write(java.io.InputStream archive) throws java.io.IOException {
            archive.transferTo(java.io.OutputStream.nullOutputStream());
            completed = true;
            return new dev.rktj.kernel.spi.BlobDescriptor("sha512-" + "0".repeat(64), 0);
        }
    }

    @Test
    void fetch_serverStopsSending_timesOutInOneLine() {
        server.route("example.test", "/stall/app.aci", req -> {
            req.response().putHeader("Content-Length", Integer.toString(image.length));
            req.response().write(Buffer.buffer(Arrays.copyOf(image, 1000)));
        });

        FetchException e = assertThrows(FetchException.class, () ->
                fetcher.fetch(url(server.url("example.test", "/stall/app.aci")), context(new HashingBlobSink(), Set.of(), plain())));

        assertOneLine(e.getMessage());
        assertTrue(e.getMessage().contains("stopped sending"), e.getMessage());
    }

    @Test
    void fetch_status404_401_403_sayWhatAndWhere() {
        server.route("example.test", "/s401/app.aci", req -> req.response().setStatusCode(401).end());
        server.route("example.test", "/s403/app.aci", req -> req.response().setStatusCode(403).end());

        String m404 = assertThrows(FetchException.class, () -> fetcher.fetch(url(server.url("example.test", "/s404/app.aci")),
                context(new HashingBlobSink(), Set.of(), plain()))).getMessage();
        String m401 = assertThrows(FetchException.class, () -> fetcher.fetch(url(server.url("example.test", "/s401/app.aci")),
                context(new HashingBlobSink(), Set.of(), plain()))).getMessage();
        String m403 = assertThrows(FetchException.class, () -> fetcher.fetch(url(server.url("example.test", "/s403/app.aci")),
                context(new HashingBlobSink(), Set.of(), plain()))).getMessage();

        assertTrue(m404.endsWith("404 Not Found"), m404);
        assertTrue(m401.contains("401") && m401.contains("auth.d"), m401);
        assertTrue(m403.contains("403") && m403.contains("auth.d"), m403);
    }

    @Test
    void fetch_unknownHost_saysSoInOneLine() {
        FetchException e = assertThrows(FetchException.class, () -> fetcher.fetch(url("https://no-such-host.invalid/app.aci"),
                context(new HashingBlobSink(), Set.of(), plain())));

        assertOneLine(e.getMessage());
        assertTrue(e.getMessage().startsWith("unknown host \"no-such-host.invalid\""), e.getMessage());
    }

    @Test
    void fetch_certificateNotForTheHost_tlsFailureNamesTheFlag_andTheFlagAcceptsIt() throws Exception {
        server.serve("nocert.test", "/app.aci", image, Map.of());
        String u = server.url("nocert.test", "/app.aci");

        FetchException e = assertThrows(FetchException.class, () -> fetcher.fetch(url(u), context(new HashingBlobSink(), Set.of(), plain())));
        FetchedImage f = fetcher.fetch(url(u), context(new HashingBlobSink(), Set.of("tls"), plain()));

        assertOneLine(e.getMessage());
        assertTrue(e.getMessage().startsWith("TLS failure talking to nocert.test") && e.getMessage().contains("--insecure-options=tls"),
                e.getMessage());
        assertEquals(HashingBlobSink.imageIdOf(image), f.blob().imageId());
    }

    @Test
    void fetch_plainHttpWithoutTheFlag_isRefusedBeforeAnyRequest() {
        FetchException e = assertThrows(FetchException.class, () -> fetcher.fetch(url("http://example.test:1/app.aci"),
                context(new HashingBlobSink(), Set.of(), plain())));

        assertTrue(e.getMessage().contains("--insecure-options=http"), e.getMessage());
    }

    @Test
    void fetch_basicAndBearerCredentials_goOnlyToTheirHost_alsoAcrossARedirect() throws Exception {
        server.route("example.test", "/auth/app.aci", req -> {
            if (("Basic " + Base64.getEncoder().encodeToString("u:p".getBytes())).equals(req.getHeader("Authorization"))) {
                req.response().setStatusCode(302).putHeader("Location", server.url("other.test", "/auth/real.aci")).end();
            } else {
                req.response().setStatusCode(401).end();
            }
        });
        server.route("other.test", "/auth/real.aci", req -> {
            if ("Bearer t0k".equals(req.getHeader("Authorization"))) {
                req.response().end(Buffer.buffer(image));
            } else {
                req.response().setStatusCode(403).end();
            }
        });
        Map<String, Map<String, String>> byHost = Map.of(
                "example.test", Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString("u:p".getBytes())),
                "other.test", Map.of("Authorization", "Bearer t0k"));
        RemoteAccess access = access(false, x -> Optional.empty(), x -> byHost.getOrDefault(Http.host(x), Map.of()), (n, k) -> { });

        FetchedImage f = fetcher.fetch(url(server.url("example.test", "/auth/app.aci")), context(new HashingBlobSink(), Set.of(), access));

        assertEquals(HashingBlobSink.imageIdOf(image), f.blob().imageId());
        assertEquals("Bearer t0k", server.requests("/auth/real.aci").get(0).headers().get("authorization"),
                "the redirect target gets its own credentials, not the first host's");
    }

    @Test
    void fetch_credentialsForAnotherDomain_areNotSent() {
        server.route("storage.example.test", "/wrong/app.aci", req -> req.response().setStatusCode(401).end());
        RemoteAccess access = access(false, x -> Optional.empty(),
                x -> Http.host(x).equals("other.test") ? Map.of("Authorization", "Bearer secret") : Map.of(), (n, k) -> { });

        FetchException e = assertThrows(FetchException.class, () -> fetcher.fetch(url(server.url("storage.example.test", "/wrong/app.aci")),
                context(new HashingBlobSink(), Set.of(), access)));

        assertNull(server.requests("/wrong/app.aci").get(0).headers().get("authorization"));
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void fetch_name_discoversTheEndpointAndOffersTheKeys() throws Exception {
        String page = "<html><head><meta name=\"ac-discovery\" content=\"example.test " + server.url("storage.example.test", "/{name}-{version}-{os}-{arch}.{ext}")
                + "\"><meta name=\"ac-discovery-pubkeys\" content=\"example.test " + server.url("example.test", "/pubkeys.gpg") + "\"></head></html>";
        server.route("example.test", "/hello", req -> req.response().end(req.query() != null && req.query().contains("ac-discovery=1") ? page : "no"));
        server.serve("storage.example.test", "/example.test/hello-1.0-linux-amd64.aci", image, Map.of());
        server.serve("storage.example.test", "/example.test/hello-1.0-linux-amd64.aci.asc", signature, Map.of());
        List<String> offered = new ArrayList<>();
        RemoteAccess access = access(false, x -> Optional.empty(), x -> Map.of(), (n, k) -> offered.add(n + " " + k));
        HashingBlobSink sink = HashingBlobSink.wantingSignature();
        ImageRef ref = new ImageRef("example.test/hello:1.0", ImageRef.Kind.NAME, "example.test/hello",
                Map.of("version", "1.0", "os", "linux", "arch", "amd64"));

        FetchedImage f = fetcher.fetch(ref, context(sink, Set.of(), access));

        assertEquals(HashingBlobSink.imageIdOf(image), f.blob().imageId());
        assertEquals(server.url("storage.example.test", "/example.test/hello-1.0-linux-amd64.aci"), f.source());
        assertEquals(List.of("example.test/hello [" + server.url("example.test", "/pubkeys.gpg") + "]"), offered);
        assertArrayEquals(signature, sink.signature());
    }

    @Test
    void fetch_nameWithoutDiscoveryTags_saysSo() {
        ImageRef ref = new ImageRef("example.test/none", ImageRef.Kind.NAME, "example.test/none", Map.of("os", "linux", "arch", "amd64"));

        FetchException e = assertThrows(FetchException.class, () -> fetcher.fetch(ref, context(new HashingBlobSink(), Set.of(), plain())));

        assertOneLine(e.getMessage());
        assertTrue(e.getMessage().startsWith("discovery failed for \"example.test/none\""), e.getMessage());
    }

    @Test
    void fetch_progress_reportedToTheEnd() throws Exception {
        server.serve("example.test", "/progress/app.aci", image, Map.of());
        List<String> events = new ArrayList<>();
        FetchContext.Log progressLog = new FetchContext.Log() {
            @Override public void info(String line) { }
            @Override public void debug(String line) { }
            @Override public void progress(String what, long bytes, long total, boolean done) {
                if (done) {
                    events.add(what + " " + bytes + "/" + total);
                }
            }
        };

        fetcher.fetch(url(server.url("example.test", "/progress/app.aci")),
                new FetchContext(new HashingBlobSink(), Set.of(), false, progressLog, plain()));

        assertEquals(List.of("Downloading ACI " + image.length + "/" + image.length), events);
    }

    private static void assertOneLine(String message) {
        assertFalse(message == null || message.isBlank() || message.contains("\n"), "one line: " + message);
    }
}
