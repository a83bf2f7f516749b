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
        long agent = rkt.startAgent(); // stderr is no terminal: the agent downloads for the thin run too

        RktCli.Result run = rkt.run("--trust-keys-from-https", "run", "example.test/hello:1.0").ok();

        assertEquals("Hello from https", run.out().strip());
        for (com.fasterxml.jackson.databind.JsonNode e : new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(rkt.run("history", "--format=json").ok().out())) {
            if (e.get("type").asText().equals("PodPrepared")) {
                assertEquals(agent, e.get("writer").get("pid").asLong(), "the agent prepared the pod, download included");
            }
        }
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

        RktCli.Result r = rkt.runBothWays("fetch", "example.test/hello:1.0");

        assertEquals(254, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("--trust-keys-from-https"), r.err());
        assertEquals(before, StoreSnapshot.of(rkt.dataDir.resolve("cas")));
    }

    @Test
    void fetchUrl_refusals_sameInTheCommandAndThroughTheAgent() throws Exception {
        String missing = server.url("storage.example.test", "/example.test/missing.aci");

        RktCli.Result notFound = rkt.runBothWays("--insecure-options=image", "fetch", missing);
        RktCli.Result noSignature = rkt.runBothWays("fetch", missing);
        RktCli.Result plainHttp = rkt.runBothWays("--insecure-options=image", "fetch", missing.replace("https://", "http://"));

        for (RktCli.Result r : List.of(notFound, noSignature, plainHttp)) {
            assertEquals(254, r.code(), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
        }
        assertTrue(notFound.err().contains("404"), notFound.err());
        assertTrue(noSignature.err().contains("error opening signature file"), noSignature.err());
        assertTrue(plainHttp.err().contains("--insecure-options=http"), plainHttp.err());
        assertEquals("", rkt.run("history", "--no-legend").ok().out());
    }

    @Test
    void fetchUrl_throughTheAgentOnATerminal_drawsTheProgressBarThere() throws Exception {
        rkt.startAgent();
        String url = server.url("storage.example.test", "/example.test/hello-1.0-linux-amd64.aci");
        StringBuilder command = new StringBuilder("RKTJ_THIN=required ");
        for (String a : rkt.command("--insecure-options=image", "fetch", url)) {
            command.append('\'').append(a.replace("'", "'\\''")).append("' ");
        }

        RktCli.Result r = RktCli.exec(List.of("script", "--quiet", "--return", "--command", command.toString(), "/dev/null"),
                null, rkt.env);

        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("Downloading ACI: [========================================] "), r.out());
        assertTrue(r.out().strip().matches("(?s).*\\nsha512-[0-9a-f]{32}"), r.out());
    }

    @Test
    void trustPrefixWithoutKey_discoversTheKey() {
        RktCli.Result r = rkt.run("trust", "--prefix=example.test/hello", "--skip-fingerprint-review").ok();

        assertTrue(r.out().contains("Added key for prefix \"example.test/hello\""), r.out());
    }
}
