package dev.rktj.kernel.testing;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTPS (or plain HTTP) server on 127.0.0.1 for fetcher tests, with a self-signed
 * certificate made by {@code openssl} for the test host names ({@link #NAMES}), which tests
 * resolve to 127.0.0.1 through a hosts file ({@link #writeHostsFile}, {@code jdk.net.hosts.file}).
 * Routes are by host and path; every request is recorded with its headers.
 */
public final class TestHttpsServer implements AutoCloseable {

    /** Names the certificate is for; {@code nocert.test} resolves too but is not in the certificate. */
    public static final List<String> NAMES = List.of("example.test", "storage.example.test", "other.test", "localhost");
    public static final String TRUST_STORE_PASSWORD = "changeit";

    /** One request as the server saw it: host without port, path, query, headers (lowercase names). */
    public record Request(String host, String path, String query, Map<String, String> headers) {}

    private final Vertx vertx = Vertx.vertx();
    private final Map<String, Handler<HttpServerRequest>> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final boolean tls;
    private HttpServer server;
    private Path trustStore;

    private TestHttpsServer(boolean tls) {
        this.tls = tls;
    }

    /** Starts a server; {@code dir} receives the certificate, key and a PKCS12 trust store. */
    public static TestHttpsServer start(Path dir, boolean tls) throws Exception {
        TestHttpsServer s = new TestHttpsServer(tls);
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
        if (tls) {
            Path cert = dir.resolve("cert.pem");
            Path key = dir.resolve("key.pem");
            StringBuilder san = new StringBuilder("subjectAltName=IP:127.0.0.1");
            NAMES.forEach(n -> san.append(",DNS:").append(n));
            run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=rktj-test",
                    "-addext", san.toString());
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()));
            s.trustStore = trustStore(cert, dir.resolve("trust.p12"));
        }
        s.server = s.vertx.createHttpServer(options).requestHandler(s::handle);
        s.server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return s;
    }

    /** A hosts file mapping every test name, and {@code nocert.test}, to 127.0.0.1. */
    public static Path writeHostsFile(Path file) throws IOException {
        StringBuilder b = new StringBuilder("127.0.0.1");
        NAMES.forEach(n -> b.append(' ').append(n));
        b.append(" nocert.test\n");
        return Files.writeString(file, b.toString());
    }

    public int port() {
        return server.actualPort();
    }

    /** A PKCS12 trust store (password {@link #TRUST_STORE_PASSWORD}) holding the server's certificate. */
    public Path trustStore() {
        return trustStore;
    }

    public String url(String host, String path) {
        return (tls ? "https" : "http") + "://" + host + ":" + port() + path;
    }

    /** Serves {@code handler} for requests to {@code host} (without port) at {@code path} (without query). */
    public TestHttpsServer route(String host, String path, Handler<HttpServerRequest> handler) {
        routes.put(host + path, handler);
        return this;
    }

    /** Serves {@code body} with 200 and {@code headers}. */
    public TestHttpsServer serve(String host, String path, byte[] body, Map<String, String> headers) {
        return route(host, path, req -> {
            headers.forEach(req.response()::putHeader);
            req.response().end(Buffer.buffer(body));
        });
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public List<Request> requests(String path) {
        return requests().stream().filter(r -> r.path().equals(path)).toList();
    }

    private void handle(HttpServerRequest req) {
        String host = req.authority() == null ? "" : req.authority().host().toLowerCase(Locale.ROOT);
        Map<String, String> headers = new TreeMap<>();
        req.headers().forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        requests.add(new Request(host, req.path(), req.query(), headers));
        Handler<HttpServerRequest> h = routes.get(host + req.path());
        if (h == null) {
            req.response().setStatusCode(404).end("not found");
            return;
        }
        h.handle(req);
    }

    private static Path trustStore(Path certPem, Path file) throws Exception {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(certPem)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("rktj-test", cert);
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, TRUST_STORE_PASSWORD.toCharArray());
        }
        return file;
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + new String(output));
        }
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
