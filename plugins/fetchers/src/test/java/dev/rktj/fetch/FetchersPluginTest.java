package dev.rktj.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rktj.fetch.file.FileFetcher;
import dev.rktj.fetch.https.HttpsFetcher;
import dev.rktj.kernel.plugin.PluginHost;
import dev.rktj.kernel.plugin.PluginJars;
import dev.rktj.kernel.spi.ImageRef;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compiled plugin, packed as a jar, loads through the real host with its fetchers. */
class FetchersPluginTest {

    @TempDir
    Path tmp;

    @Test
    void pluginHost_fetchersJar_asksTheFileFetcherForFilesAndTheHttpsFetcherForUrlsAndNames() throws Exception {
        Path classes = Path.of(FileFetcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        PluginJars.pack(classes, tmp.resolve("plugins/fetchers.jar"),
                PluginJars.manifest("fetchers", FetchersPlugin.class.getName()));

        try (PluginHost host = PluginHost.open(List.of(tmp.resolve("plugins")))) {
            ImageRef file = new ImageRef("/a.aci", ImageRef.Kind.FILE, "/a.aci");

            assertEquals(FileFetcher.class.getName(), host.fetcherFor(file).getClass().getName());
            assertEquals(List.of(FileFetcher.class.getName(), HttpsFetcher.class.getName()),
                    host.fetchers().stream().map(f -> f.getClass().getName()).toList());
            for (ImageRef.Kind kind : List.of(ImageRef.Kind.HTTPS, ImageRef.Kind.HTTP, ImageRef.Kind.NAME)) {
                ImageRef remote = new ImageRef("x", kind, "x");
                assertEquals(HttpsFetcher.class.getName(), host.fetcherFor(remote).getClass().getName(), kind.toString());
            }
        }
    }
}
