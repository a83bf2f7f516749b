package dev.rktj.kernel.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.spi.ImageFetcher;
import dev.rktj.kernel.spi.ImageRef;
import dev.rktj.kernel.spi.Stage1;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginHostTest {

    @TempDir
    Path tmp;

    private static final String TINY_PLUGIN = """
            package tiny;
            public class TinyPlugin extends org.pf4j.Plugin {}
            """;

    private static String stage1Source(String pkg, String name, String appcName) {
        return """
                package %s;
                import dev.rktj.kernel.spi.*;
                import java.util.Set;
                @org.pf4j.Extension
                public class TinyStage1 implements Stage1 {
                    public Stage1Info info() {
                        return new Stage1Info("%s", "%s", "1.0.0", Set.of());
                    }
                    public Stage1Process run(PodRun request) throws Stage1Exception {
                        throw new Stage1Exception("tiny: run is not implemented");
                    }
                    public int enter(PodEnter request) throws Stage1Exception {
                        throw new Stage1Exception("tiny: enter is not implemented");
                    }
                    public void stop(PodStop request) throws Stage1Exception {
                        throw new Stage1Exception("tiny: stop is not implemented");
                    }
                    public void gc(PodGc request) {}
                }
                """.formatted(pkg, name, appcName);
    }

    private static String fetcherSource(String className, int ordinal, String kindTest) {
        return """
                package fetch;
                import dev.rktj.kernel.spi.*;
                @org.pf4j.Extension(ordinal = %d)
                public class %s implements ImageFetcher {
                    public boolean handles(ImageRef ref) {
                        return %s;
                    }
                    public FetchedImage fetch(ImageRef ref, FetchContext context) throws FetchException {
                        throw new FetchException("not here");
                    }
                }
                """.formatted(ordinal, className, kindTest);
    }

    private Path tinyStage1Plugin(Path pluginsDir) throws IOException {
        return PluginJar.withId("tiny")
                .pluginClass("tiny.TinyPlugin", TINY_PLUGIN)
                .extension("tiny.TinyStage1", stage1Source("tiny", "tiny", "example.com/rkt/stage1-tiny"))
                .writeTo(pluginsDir);
    }

    @Test
    void open_noPluginDirectoryExists_hostHasNoPlugins() throws Exception {
        try (PluginHost host = PluginHost.open(List.of(tmp.resolve("absent"), tmp.resolve("also-absent")))) {
            assertTrue(host.stage1s().isEmpty());
            assertTrue(host.fetchers().isEmpty());
            PluginException e = assertThrows(PluginException.class, () -> host.stage1("fly"));
            assertEquals("stage1 \"fly\" not found (available: none)", e.getMessage());
        }
    }

    @Test
    void open_emptyDirectoryList_hostHasNoPlugins() throws Exception {
        try (PluginHost host = PluginHost.open(List.of())) {
            assertTrue(host.stage1s().isEmpty());
        }
    }

    @Test
    void open_emptyPluginDirectory_hostHasNoPlugins() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));

        try (PluginHost host = PluginHost.open(List.of(plugins))) {
            assertTrue(host.stage1s().isEmpty());
            assertTrue(host.fetchers().isEmpty());
        }
    }

    @Test
    void open_stage1Plugin_loadsItsExtension() throws Exception {
        Path plugins = tmp.resolve("plugins");
        tinyStage1Plugin(plugins);

        try (PluginHost host = PluginHost.open(List.of(tmp.resolve("absent"), plugins))) {
            assertEquals(1, host.stage1s().size());
            Stage1 stage1 = host.stage1s().get(0);
            assertEquals("tiny", stage1.info().name());
            // loaded by the plugin's own class loader, against the host's SPI
            assertFalse(stage1.getClass().getClassLoader() == getClass().getClassLoader());
            assertSame(Stage1.class, stage1.getClass().getInterfaces()[0]);
        }
    }

    @Test
    void stage1_byNameOrAppcName_findsTheSameExtension() throws Exception {
        Path plugins = tmp.resolve("plugins");
        tinyStage1Plugin(plugins);

        try (PluginHost host = PluginHost.open(List.of(plugins))) {
            Stage1 byName = host.stage1("tiny");
            Stage1 byAppcName = host.stage1("example.com/rkt/stage1-tiny");
            assertSame(byName, byAppcName);
        }
    }

    @Test
    void stage1_unknownName_namesTheAvailableOnes() throws Exception {
        Path plugins = tmp.resolve("plugins");
        tinyStage1Plugin(plugins);

        try (PluginHost host = PluginHost.open(List.of(plugins))) {
            PluginException e = assertThrows(PluginException.class, () -> host.stage1("kvm"));
            assertEquals("stage1 \"kvm\" not found (available: tiny)", e.getMessage());
        }
    }

    @Test
    void open_pluginRequiringANewerSpi_isRefusedNamingBothVersions() throws Exception {
        Path plugins = tmp.resolve("plugins");
        PluginJar.withId("future")
                .requires(">=9.0.0")
                .extension("tiny.TinyStage1", stage1Source("tiny", "future", "example.com/rkt/stage1-future"))
                .writeTo(plugins);

        PluginException e = assertThrows(PluginException.class, () -> PluginHost.open(List.of(plugins)));
        assertEquals("plugin \"future\" requires SPI >=9.0.0 but this rkt provides 0.1.0", e.getMessage());
    }

    @Test
    void open_pluginRequiringABareNewerVersion_readsItAsAMinimum() throws Exception {
        Path plugins = tmp.resolve("plugins");
        PluginJar.withId("future")
                .requires("9.0.0")
                .extension("tiny.TinyStage1", stage1Source("tiny", "future", "example.com/rkt/stage1-future"))
                .writeTo(plugins);

        PluginException e = assertThrows(PluginException.class, () -> PluginHost.open(List.of(plugins)));
        assertEquals("plugin \"future\" requires SPI >=9.0.0 but this rkt provides 0.1.0", e.getMessage());
    }

    @Test
    void open_pluginWithoutRequires_isLoaded() throws Exception {
        Path plugins = tmp.resolve("plugins");
        PluginJar.withId("any")
                .requires(null)
                .extension("tiny.TinyStage1", stage1Source("tiny", "any", "example.com/rkt/stage1-any"))
                .writeTo(plugins);

        try (PluginHost host = PluginHost.open(List.of(plugins))) {
            assertEquals("any", host.stage1("any").info().name());
        }
    }

    @Test
    void fetchers_severalOrdinals_comeInOrdinalOrder() throws Exception {
        Path plugins = tmp.resolve("plugins");
        PluginJar.withId("fetchers")
                .extension("fetch.Anything", fetcherSource("Anything", 20, "ref.kind() != ImageRef.Kind.HASH"))
                .extension("fetch.Files", fetcherSource("Files", 10, "ref.kind() == ImageRef.Kind.FILE"))
                .writeTo(plugins);

        try (PluginHost host = PluginHost.open(List.of(plugins))) {
            List<String> order = host.fetchers().stream().map(f -> f.getClass().getSimpleName()).toList();
            assertEquals(List.of("Files", "Anything"), order);
        }
    }

    @Test
    void fetcherFor_severalHandle_picksTheFirstInOrdinalOrder() throws Exception {
        Path plugins = tmp.resolve("plugins");
        PluginJar.withId("fetchers")
                .extension("fetch.Anything", fetcherSource("Anything", 20, "ref.kind() != ImageRef.Kind.HASH"))
                .extension("fetch.Files", fetcherSource("Files", 10, "ref.kind() == ImageRef.Kind.FILE"))
                .writeTo(plugins);

        try (PluginHost host = PluginHost.open(List.of(plugins))) {
            ImageFetcher forFile = host.fetcherFor(new ImageRef("a.aci", ImageRef.Kind.FILE, "/tmp/a.aci"));
            ImageFetcher forName = host.fetcherFor(new ImageRef("example.com/app", ImageRef.Kind.NAME, "example.com/app"));
            assertEquals("Files", forFile.getClass().getSimpleName());
            assertEquals("Anything", forName.getClass().getSimpleName());
        }
    }

    @Test
    void fetcherFor_noneHandles_namesTheImageAndKind() throws Exception {
        Path plugins = tmp.resolve("plugins");
        PluginJar.withId("fetchers")
                .extension("fetch.Files", fetcherSource("Files", 10, "ref.kind() == ImageRef.Kind.FILE"))
                .writeTo(plugins);

        try (PluginHost host = PluginHost.open(List.of(plugins))) {
            PluginException e = assertThrows(PluginException.class,
                    () -> host.fetcherFor(new ImageRef("example.com/app", ImageRef.Kind.NAME, "example.com/app")));
            assertEquals("no fetcher handles \"example.com/app\" (kind NAME)", e.getMessage());
        }
    }

    @Test
    void open_jarWithoutPluginId_isRefusedNamingTheFile() throws Exception {
        Path plugins = tmp.resolve("plugins");
        Path jar = PluginJar.withId(null)
                .extension("tiny.TinyStage1", stage1Source("tiny", "tiny", "example.com/rkt/stage1-tiny"))
                .writeTo(plugins);

        PluginException e = assertThrows(PluginException.class, () -> PluginHost.open(List.of(plugins)));
        assertEquals("plugin file \"" + jar.toRealPath() + "\" has no Plugin-Id in its manifest", e.getMessage());
    }

    @Test
    void open_samePluginIdInTwoDirectories_isRefusedNamingBoth() throws Exception {
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second");
        tinyStage1Plugin(first);
        tinyStage1Plugin(second);

        PluginException e = assertThrows(PluginException.class, () -> PluginHost.open(List.of(first, second)));
        assertTrue(e.getMessage().startsWith("plugin \"tiny\" is installed twice: "), e.getMessage());
    }

    @Test
    void open_sameDirectoryTwice_loadsEachPluginOnce() throws Exception {
        Path plugins = tmp.resolve("plugins");
        tinyStage1Plugin(plugins);

        try (PluginHost host = PluginHost.open(List.of(plugins, plugins.resolve("."), plugins))) {
            assertEquals(1, host.stage1s().size());
        }
    }

    @Test
    void open_pluginFailingToStart_isRefusedWithItsReason() throws Exception {
        Path plugins = tmp.resolve("plugins");
        PluginJar.withId("broken")
                .pluginClass("broken.BrokenPlugin", """
                        package broken;
                        public class BrokenPlugin extends org.pf4j.Plugin {
                            @Override public void start() { throw new IllegalStateException("no config"); }
                        }
                        """)
                .writeTo(plugins);

        PluginException e = assertThrows(PluginException.class, () -> PluginHost.open(List.of(plugins)));
        assertEquals("plugin \"broken\" failed to start: no config", e.getMessage());
    }

    @Test
    void open_extensionFailingInItsConstructor_isRefused() throws Exception {
        Path plugins = tmp.resolve("plugins");
        PluginJar.withId("broken")
                .extension("broken.Fetcher", """
                        package broken;
                        import dev.rktj.kernel.spi.*;
                        @org.pf4j.Extension
                        public class Fetcher implements ImageFetcher {
                            public Fetcher() { throw new IllegalStateException("no network"); }
                            public boolean handles(ImageRef ref) { return true; }
                            public FetchedImage fetch(ImageRef ref, FetchContext c) { return null; }
                        }
                        """)
                .writeTo(plugins);

        PluginException e = assertThrows(PluginException.class, () -> PluginHost.open(List.of(plugins)));
        assertEquals("plugin \"broken\": extension broken.Fetcher cannot be created: no network", e.getMessage());
    }

    @Test
    void open_pluginBundlingItsOwnSpi_isRefused() throws Exception {
        Path plugins = tmp.resolve("plugins");
        PluginJar.withId("bundled")
                // a copy of the SPI inside the plugin jar: the plugin class loader prefers it to the host's
                .source("dev.rktj.kernel.spi.ImageFetcher", """
                        package dev.rktj.kernel.spi;
                        public interface ImageFetcher extends org.pf4j.ExtensionPoint {
                            boolean handles(ImageRef ref);
                        }
                        """)
                .extension("bundled.Fetcher", """
                        package bundled;
                        import dev.rktj.kernel.spi.*;
                        @org.pf4j.Extension
                        public class Fetcher implements ImageFetcher {
                            public boolean handles(ImageRef ref) { return true; }
                        }
                        """)
                .writeTo(plugins);

        PluginException e = assertThrows(PluginException.class, () -> PluginHost.open(List.of(plugins)));
        assertEquals("plugin \"bundled\" bundles its own copy of the rktj SPI; build it with rktj-kernel in scope"
                + " provided", e.getMessage());
    }

    @Test
    void open_twoPluginsWithTheSameStage1Name_isRefused() throws Exception {
        Path plugins = tmp.resolve("plugins");
        PluginJar.withId("one")
                .extension("one.TinyStage1", stage1Source("one", "fly", "coreos.com/rkt/stage1-fly"))
                .writeTo(plugins);
        PluginJar.withId("two")
                .extension("two.TinyStage1", stage1Source("two", "fly", "example.com/other-fly"))
                .writeTo(plugins);

        PluginException e = assertThrows(PluginException.class, () -> PluginHost.open(List.of(plugins)));
        assertEquals("stage1 \"fly\" is provided twice, by plugins \"one\" and \"two\"", e.getMessage());
    }

    @Test
    void open_normalOperation_logsNothingAtWarnOrAbove() throws Exception {
        Path plugins = tmp.resolve("plugins");
        tinyStage1Plugin(plugins);
        PluginJar.withId("fetchers")
                .extension("fetch.Files", fetcherSource("Files", 10, "ref.kind() == ImageRef.Kind.FILE"))
                .writeTo(plugins);

        PrintStream realErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        // slf4j-simple looks System.err up at each line, so swapping it catches PF4J's logging
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (PluginHost host = PluginHost.open(List.of(tmp.resolve("absent"), plugins))) {
            host.stage1("tiny");
            host.fetcherFor(new ImageRef("/a.aci", ImageRef.Kind.FILE, "/a.aci"));
        } finally {
            System.setErr(realErr);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertFalse(log.contains(" WARN ") || log.contains(" ERROR "), log);
    }

    @Test
    void close_calledTwice_isHarmless() throws Exception {
        Path plugins = tmp.resolve("plugins");
        tinyStage1Plugin(plugins);

        PluginHost host = PluginHost.open(List.of(plugins));
        host.close();
        host.close();
    }

    @Test
    void spiVersion_isTheRootPomsRktjSpiVersion() throws IOException {
        // Surefire runs in the module directory; the root pom is its parent's
        Path rootPom = Path.of("").toAbsolutePath().getParent().resolve("pom.xml");
        Matcher m = Pattern.compile("<rktj\\.spi\\.version>([^<]+)</rktj\\.spi\\.version>")
                .matcher(Files.readString(rootPom));
        assertTrue(m.find(), "no rktj.spi.version in " + rootPom);
        assertEquals(m.group(1).trim(), PluginHost.SPI_VERSION);
    }
}
