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
    private static Path publicKey;

    @BeforeAll
    static void serve() throws Exception {
        server = TestHttpsServer.start(shared, true);
        gpg = Gpg.create(Files.createDirectories(shared.resolve("gpg")));
        String key = gpg.generate("Hello Signer <hello@example.test>", "ed25519", "never", null);
        image = TestImages.aci(shared, "example.test/hello", List.of("/bin/echo", "Hello from https"));
        byte[] aci = Files.readAllBytes(image);
        publicKey = Files.write(shared.resolve("hello-signer.asc"), gpg.exportArmored(key));
        byte[] signature = gpg.sign(image, key, true, null);
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
        server.serve("storage.example.test", "/example.test/hello-1.0-linux-amd64.aci.asc", signature, Map.of());
        // the same signed image where discovery of another name or version leads
        server.route("example.test", "/renamed", req -> req.response().end(page));
        server.route("example.test", "/alias", req -> req.response().end("<meta name=\"ac-discovery\" content=\"example.test "
                + server.url("storage.example.test", "/example.test/hello-{version}-{os}-{arch}.{ext}") + "\">"));
        for (String misnamed : List.of("/example.test/renamed-1.0-linux-amd64", "/example.test/hello-2.0-linux-amd64")) {
            server.serve("storage.example.test", misnamed + ".aci", aci, Map.of());
            server.serve("storage.example.test", misnamed + ".aci.asc", signature, Map.of());
        }
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
    void fetchByName_imageNamedOrLabelledOtherwise_refusedInOneLine_storeAndJournalUnchanged() throws Exception {
        rkt.run("trust", "--prefix=example.test", "--skip-fingerprint-review", publicKey.toString()).ok(); // covers both names
        rkt.run("--insecure-options=image", "fetch", image.toString()).ok(); // a store with something in it
        var before = StoreSnapshot.of(rkt.dataDir.resolve("cas"));
        String history = rkt.run("history", "--format=json").ok().out();

        RktCli.Result renamed = rkt.runBothWays("fetch", "example.test/renamed:1.0");
        RktCli.Result otherVersion = rkt.runBothWays("fetch", "example.test/hello:2.0");

        assertEquals(254, renamed.code(), renamed.err());
        assertEquals("fetch: image \"example.test/renamed:1.0\" does not match the name and labels it was discovered by:"
                + " its manifest has name \"example.test/hello\"\n", renamed.err());
        assertEquals(254, otherVersion.code(), otherVersion.err());
        assertEquals("fetch: image \"example.test/hello:2.0\" does not match the name and labels it was discovered by:"
                + " its manifest has version \"1.0\", not \"2.0\"\n", otherVersion.err());
        assertEquals(2, server.requests("/example.test/renamed-1.0-linux-amd64.aci").size(),
                "the image was downloaded, then refused, in the command's JVM and in the agent");
        assertEquals(before, StoreSnapshot.of(rkt.dataDir.resolve("cas")));
        assertEquals(history, rkt.run("history", "--format=json").ok().out(), "nothing was recorded");
    }

    @Test
    void fetchByName_discoveryLeadsToAUrlStoredForAnotherName_refusedOn304_storeAndJournalUnchanged() throws Exception {
        rkt.run("trust", "--prefix=example.test", "--skip-fingerprint-review", publicKey.toString()).ok();
        rkt.run("fetch", "example.test/hello:1.0").ok(); // remembers the URL with its ETag
        var before = StoreSnapshot.of(rkt.dataDir.resolve("cas"));
        String history = rkt.run("history", "--format=json").ok().out();

        // example.test/alias is discovered at hello's URL; the server answers 304 to the stored ETag
        RktCli.Result alias = rkt.runBothWays("fetch", "example.test/alias:1.0");

        assertEquals(254, alias.code(), alias.err());
        assertEquals("fetch: image \"example.test/alias:1.0\" does not match the name and labels it was discovered by:"
                + " its manifest has name \"example.test/hello\"\n", alias.err());
        assertEquals(before, StoreSnapshot.of(rkt.dataDir.resolve("cas")));
        assertEquals(history, rkt.run("history", "--format=json").ok().out(), "nothing was recorded");
    }

    @Test
    void fetchUrl_bodyLongerThanDeclaredTruncatedOrStalled_refusedInOneLine_storeAndJournalUnchanged() throws Exception {
        byte[] aci = Files.readAllBytes(image);
        int tail = aci.length - 100;
        server.route("storage.example.test", "/longer/hello.aci", req -> {
            req.response().putHeader("Content-Length", Integer.toString(aci.length));
            req.response().write(io.vertx.core.buffer.Buffer.buffer(java.util.Arrays.copyOf(aci, tail)));
            req.response().write(io.vertx.core.buffer.Buffer.buffer(java.util.Arrays.copyOfRange(aci, tail, aci.length))
                    .appendString("trailing bytes the server never declared\r\n"));
        });
        server.route("storage.example.test", "/truncated/hello.aci", req -> { // and no ETag: the break cannot be resumed
            req.response().putHeader("Content-Length", Integer.toString(aci.length));
            req.response().write(io.vertx.core.buffer.Buffer.buffer(java.util.Arrays.copyOf(aci, tail)))
                    .onComplete(x -> req.connection().close());
        });
        server.route("storage.example.test", "/stalled/hello.aci", req -> {
            req.response().putHeader("Content-Length", Integer.toString(aci.length));
            req.response().write(io.vertx.core.buffer.Buffer.buffer(java.util.Arrays.copyOf(aci, tail)));
        });
        rkt.env.put("RKTJ_JAVA_OPTS", opts + " -Drktj.http.timeout=2"); // the agent's too: it is started with it
        rkt.run("--insecure-options=image", "fetch", image.toString()).ok();
        var before = StoreSnapshot.of(rkt.dataDir.resolve("cas"));
        String history = rkt.run("history", "--format=json").ok().out();

        RktCli.Result longer = rkt.runBothWays("--insecure-options=image", "fetch", server.url("storage.example.test", "/longer/hello.aci"));
        // which of the two words a break gets depends on when the connection's end is seen: each way on its own
        String truncatedUrl = server.url("storage.example.test", "/truncated/hello.aci");
        RktCli.Result truncated = rkt.runThin("--insecure-options=image", "fetch", truncatedUrl);
        RktCli.Result truncatedHere = rkt.runInProcess("--insecure-options=image", "fetch", truncatedUrl);
        RktCli.Result stalled = rkt.runBothWays("--insecure-options=image", "fetch", server.url("storage.example.test", "/stalled/hello.aci"));

        for (RktCli.Result r : List.of(longer, truncated, truncatedHere, stalled)) {
            assertEquals(254, r.code(), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
        }
        assertTrue(longer.err().contains("the body is longer than the " + aci.length + " bytes the server declared"), longer.err());
        for (RktCli.Result r : List.of(truncated, truncatedHere)) {
            assertTrue(r.err().contains("closed before the response was complete") || r.err().contains("(truncated)"), r.err());
        }
        assertTrue(stalled.err().contains("stopped sending: nothing for 2 s"), stalled.err());
        assertEquals(before, StoreSnapshot.of(rkt.dataDir.resolve("cas")));
        assertEquals(history, rkt.run("history", "--format=json").ok().out(), "nothing was recorded");
    }

    @Test
    void trustPrefixWithoutKey_discoversTheKey() {
        RktCli.Result r = rkt.run("trust", "--prefix=example.test/hello", "--skip-fingerprint-review").ok();

        assertTrue(r.out().contains("Added key for prefix \"example.test/hello\""), r.out());
    }
}
