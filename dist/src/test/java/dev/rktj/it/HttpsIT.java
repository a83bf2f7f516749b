package dev.rktj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.testing.Gpg;
import dev.rktj.kernel.testing.StoreSnapshot;
import dev.rktj.kernel.testing.TestHttpsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote images through bin/rkt: a real HTTPS server on 127.0.0.1 with an openssl-made
 * certificate; {@code example.test} and friends resolve through a hosts file, passed with the
 * trust store and the discovery port in {@code RKTJ_JAVA_OPTS}.
 */
class HttpsIT extends PodTest {

    @TempDir
    static Path shared;

    private static TestHttpsServer server;
    private static Gpg gpg;
    private static String opts;
    private static Path image;

    @BeforeAll
    static void serve() throws Exception {
        server = TestHttpsServer.start(shared, true);
        gpg = Gpg.create(Files.createDirectories(shared.resolve("gpg")));
        String key = gpg.generate("Hello Signer <hello@example.test>", "ed25519", "never", null);
        image = TestImages.aci(shared, "example.test/hello", List.of("/bin/echo", "Hello from https"));
        byte[] aci = Files.readAllBytes(image);
        String page = "<html><head><meta name=\"ac-discovery\" content=\"example.test "
                + server.url("storage.example.test", "/{name}-{version}-{os}-{arch}.{ext}") + "\">"
                + "<meta name=\"ac-discovery-pubkeys\" content=\"example.test " + server.url("example.test", "/pubkeys.gpg") + "\">"
                + "</head></html>";
        server.route("example.test", "/hello", req -> req.response().end(page));
        server.serve("example.test", "/pubkeys.gpg", gpg.exportArmored(key), Map.of());
        server.route("storage.example.test", "/example.test/hello-1.0-linux-amd64.aci", req -> {
            if ("\"h1\"".equals(req.getHeader("If-None-Match"))) {
                req.response().setStatusCode(304).end();
            } else {
                req.response().putHeader("ETag", "\"h1\"").end(io.vertx.core.buffer.Buffer.buffer(aci));
            }
        });
        server.serve("storage.example.test", "/example.test/hello-1.0-linux-amd64.aci.asc", gpg.sign(image, key, true, null), Map.of());
        Path hosts = TestHttpsServer.writeHostsFile(shared.resolve("hosts"));
        opts = "-Djdk.net.hosts.file=" + hosts + " -Djavax.net.ssl.trustStore=" + server.trustStore()
                + " -Djavax.net.ssl.trustStorePassword=" + TestHttpsServer.TRUST_STORE_PASSWORD
                + " -Djavax.net.ssl.trustStoreType=PKCS12 -Drktj.discovery.https-port=" + server.port();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        gpg.close();
    }

    @BeforeEach
    void useTestNames() {
        rkt.env.put("RKTJ_JAVA_OPTS", opts);
    }

    @Test
    void runByName_discoveredFetchedVerifiedAndRun_thenUpdateRevalidatesWith304() throws Exception {
        rkt.startAgent(); // the agent leaves the download to this command's JVM

        RktCli.Result run = rkt.run("--trust-keys-from-https", "run", "example.test/hello:1.0").ok();

        assertEquals("Hello from https", run.out().strip());
        assertTrue(run.err().contains("Added key for prefix \"example.test/hello\""), run.err());
        assertTrue(run.err().contains("signature verified"), run.err());
        String aciPath = "/example.test/hello-1.0-linux-amd64.aci";
        int before = server.requests(aciPath).size();

        RktCli.Result update = rkt.run("fetch", "--pull-policy=update", "example.test/hello:1.0").ok();

        List<TestHttpsServer.Request> requests = server.requests(aciPath);
        assertEquals(before + 1, requests.size());
        assertEquals("\"h1\"", requests.get(requests.size() - 1).headers().get("if-none-match"));
        assertTrue(update.out().startsWith("sha512-"), update.out());
    }

    @Test
    void fetchByName_noTrustedKeyOffTheTerminal_refusesNamingTheFlag_storeUnchanged() throws Exception {
        rkt.run("--insecure-options=image", "fetch", image.toString()).ok(); // a store with something in it
        var before = StoreSnapshot.of(rkt.dataDir.resolve("cas"));

        RktCli.Result r = rkt.run("fetch", "example.test/hello:1.0");

        assertEquals(254, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("--trust-keys-from-https"), r.err());
        assertEquals(before, StoreSnapshot.of(rkt.dataDir.resolve("cas")));
    }

    @Test
    void config_localAuthOverridesSystem_printedWithSecretsHidden_andOnlyTheLocalCredentialIsSent() throws Exception {
        byte[] aci = Files.readAllBytes(image);
        server.route("storage.example.test", "/auth/hello.aci", req -> {
            if ("Bearer local-token".equals(req.getHeader("Authorization"))) {
                req.response().end(io.vertx.core.buffer.Buffer.buffer(aci));
            } else {
                req.response().setStatusCode(401).end();
            }
        });
        Path systemAuth = Files.createDirectories(rkt.cwd.resolve("lib/auth.d"));
        Path localAuth = Files.createDirectories(rkt.cwd.resolve("etc/auth.d"));
        Files.writeString(systemAuth.resolve("vendor.json"), "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\","
                + "\"domains\":[\"storage.example.test\",\"other.test\"],\"type\":\"basic\","
                + "\"credentials\":{\"user\":\"vendor\",\"password\":\"system-password\"}}");
        Files.writeString(localAuth.resolve("mine.json"), "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\","
                + "\"domains\":[\"storage.example.test\"],\"type\":\"oauth\",\"credentials\":{\"token\":\"local-token\"}}");

        RktCli.Result config = rkt.run("config", "--pretty-print=false").ok();
        RktCli.Result fetch = rkt.run("--insecure-options=image", "fetch", server.url("storage.example.test", "/auth/hello.aci")).ok();

        assertEquals("{\"stage0\":["
                + "{\"rktVersion\":\"v1\",\"rktKind\":\"auth\",\"domains\":[\"other.test\"],\"type\":\"basic\","
                + "\"credentials\":{\"user\":\"vendor\",\"password\":\"********\"}},"
                + "{\"rktVersion\":\"v1\",\"rktKind\":\"auth\",\"domains\":[\"storage.example.test\"],\"type\":\"oauth\","
                + "\"credentials\":{\"token\":\"********\"}}]}", config.out().strip());
        for (String text : List.of(config.out(), config.err(), fetch.out(), fetch.err())) {
            assertTrue(!text.contains("local-token") && !text.contains("system-password"), text);
        }
        assertTrue(fetch.out().startsWith("sha512-"), fetch.out());
        assertEquals(List.of("Bearer local-token"), server.requests("/auth/hello.aci").stream()
                .map(r -> r.headers().get("authorization")).toList());
    }

    @Test
    void trustPrefixWithoutKey_discoversTheKey() {
        RktCli.Result r = rkt.run("trust", "--prefix=example.test/hello", "--skip-fingerprint-review").ok();

        assertTrue(r.out().contains("Added key for prefix \"example.test/hello\""), r.out());
    }
}
