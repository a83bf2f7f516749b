package dev.rktj.fetch.https;

import dev.rktj.kernel.remote.SharedVertx;
import dev.rktj.kernel.spi.BlobSink;
import dev.rktj.kernel.spi.FetchContext;
import dev.rktj.kernel.spi.ImageFetcher;
import dev.rktj.kernel.spi.ImageFetcherContractTest;
import dev.rktj.kernel.spi.ImageRef;
import dev.rktj.kernel.spi.RemoteAccess;
import dev.rktj.kernel.testing.TestHttpsServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The fetcher contract, served by a local HTTPS server (certificate accepted with --insecure-options=tls). */
class HttpsFetcherContractTest extends ImageFetcherContractTest {

    @TempDir
    static Path certDir;

    static TestHttpsServer server;
    static final SharedVertx vertx = new SharedVertx();
    private static int served;

    @BeforeAll
    static void start() throws Exception {
        server = TestHttpsServer.start(certDir, true);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        vertx.close();
    }

    @Override
    protected ImageFetcher newFetcher() {
        return new HttpsFetcher();
    }

    @Override
    protected ImageRef handledRef(Path workDir) {
        String path = "/contract/" + (++served) + "/app.aci";
        server.serve("localhost", path, "image bytes".getBytes(), Map.of());
        String url = server.url("localhost", path);
        return new ImageRef(url, ImageRef.Kind.HTTPS, url);
    }

    @Override
    protected ImageRef signedRef(Path workDir, byte[] signature) {
        ImageRef ref = handledRef(workDir);
        String path = ref.location().substring(ref.location().indexOf("/contract/"));
        server.serve("localhost", path + ".asc", signature, Map.of());
        return ref;
    }

    @Override
    protected ImageRef unhandledRef() {
        return new ImageRef("/a.aci", ImageRef.Kind.FILE, "/a.aci");
    }

    @Override
    protected FetchContext context(BlobSink sink, FetchContext.Log log) {
        RemoteAccess access = new RemoteAccess(false, type -> type == Vertx.class ? vertx.get() : null,
                url -> Optional.empty(), url -> Map.of(), (name, urls) -> { });
        return new FetchContext(sink, Set.of("tls"), false, log, access);
    }
}
