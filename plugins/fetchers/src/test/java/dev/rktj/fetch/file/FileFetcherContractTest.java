package dev.rktj.fetch.file;

import dev.rktj.kernel.spi.ImageFetcher;
import dev.rktj.kernel.spi.ImageFetcherContractTest;
import dev.rktj.kernel.spi.ImageRef;
import java.nio.file.Files;
import java.nio.file.Path;

/** The file fetcher against the fetcher contract. */
class FileFetcherContractTest extends ImageFetcherContractTest {

    @Override
    protected ImageFetcher newFetcher() {
        return new FileFetcher();
    }

    @Override
    protected ImageRef handledRef(Path workDir) throws Exception {
        Path image = Files.write(workDir.resolve("app.aci"), "not really a tar, the sink does not care".getBytes());
        return new ImageRef("app.aci", ImageRef.Kind.FILE, image.toString());
    }

    @Override
    protected ImageRef signedRef(Path workDir, byte[] signature) throws Exception {
        ImageRef ref = handledRef(workDir);
        Files.write(workDir.resolve("app.aci.asc"), signature);
        return ref;
    }

    @Override
    protected ImageRef unhandledRef() {
        return new ImageRef("https://example.com/app.aci", ImageRef.Kind.HTTPS, "https://example.com/app.aci");
    }
}
