package dev.rktj.kernel.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key files from paths and URLs: TLS is checked unless the user said otherwise; plain http only when allowed. */
class KeySourceTest {

    private static final byte[] KEY = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n...".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    static Path tls;

    private static HttpsServer https;
    private static HttpServer http;

    @TempDir
    Path dir;

    /** An https server with a self-signed certificate for 127.0.0.1, and a plain http one, both serving /key.asc. */
    @BeforeAll
    static void servers() throws Exception {
        Path store = tls.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
                "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool failed");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        https = HttpsServer.create(loopback, 0);
        https.setHttpsConfigurator(new HttpsConfigurator(context));
        http = HttpServer.create(loopback, 0);
        for (HttpServer server : new HttpServer[] {https, http}) {
            server.createContext("/", exchange -> {
                boolean found = exchange.getRequestURI().getPath().equals("/key.asc");
                exchange.sendResponseHeaders(found ? 200 : 404, found ? KEY.length : -1);
                if (found) {
                    exchange.getResponseBody().write(KEY);
                }
                exchange.close();
            });
            server.start();
        }
    }

    @AfterAll
    static void stop() {
        https.stop(0);
        http.stop(0);
    }

    private static String url(HttpServer server, String scheme, String path) {
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Test
    void read_relativePath_fromTheCallersDirectory() throws Exception {
        Files.write(dir.resolve("key.asc"), KEY);
        assertArrayEquals(KEY, KeySource.read("key.asc", dir, false, false));
        assertArrayEquals(KEY, KeySource.read("file://" + dir.resolve("key.asc"), Path.of("/"), false, false));
    }

    @Test
    void read_missingFile_saysSo() {
        TrustException e = assertThrows(TrustException.class, () -> KeySource.read("nope.asc", dir, false, false));
        assertEquals("no such file", e.getMessage());
    }

    @Test
    void read_httpsWithAnUntrustedCertificate_refusedUnlessTlsIsInsecure() throws Exception {
        String url = url(https, "https", "/key.asc");
        TrustException e = assertThrows(TrustException.class, () -> KeySource.read(url, dir, false, false));
        assertTrue(e.getMessage().startsWith("error getting key: "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());

        assertArrayEquals(KEY, KeySource.read(url, dir, false, true));
    }

    @Test
    void read_httpsNotFound_badStatus() {
        TrustException e = assertThrows(TrustException.class,
                () -> KeySource.read(url(https, "https", "/missing.asc"), dir, false, true));
        assertEquals("bad HTTP status code: 404", e.getMessage());
    }

    @Test
    void read_plainHttp_onlyWhenAllowed() throws Exception {
        String url = url(http, "http", "/key.asc");
        TrustException e = assertThrows(TrustException.class, () -> KeySource.read(url, dir, false, false));
        assertEquals("--insecure-allow-http required for http URLs", e.getMessage());

        assertArrayEquals(KEY, KeySource.read(url, dir, true, false));
    }

    @Test
    void read_otherSchemes_refused() {
        TrustException e = assertThrows(TrustException.class, () -> KeySource.read("ftp://example.com/key.asc", dir, true, false));
        assertEquals("only local files and http or https URLs supported", e.getMessage());
    }
}
