package dev.rktj.kernel.plugin;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a real PF4J plugin jar in a test directory: compiles the given sources against the test
 * class path, writes {@code META-INF/extensions.idx} and the {@code Plugin-*} manifest entries.
 */
final class PluginJar {

    private final String id;
    private static final String VERSION = "1.0.0";
    private String requires = ">=" + PluginHost.SPI_VERSION;
    private String pluginClass;
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final List<String> extensions = new ArrayList<>();

    private PluginJar(String id) {
        this.id = id;
    }

    static PluginJar withId(String id) {
        return new PluginJar(id);
    }

    /** {@code null} leaves Plugin-Requires out of the manifest. */
    PluginJar requires(String requires) {
        this.requires = requires;
        return this;
    }

    PluginJar pluginClass(String className, String source) {
        this.pluginClass = className;
        return source(className, source);
    }

    PluginJar source(String className, String source) {
        sources.put(className, source);
        return this;
    }

    /** A class listed in extensions.idx, as PF4J's annotation processor would list it. */
    PluginJar extension(String className, String source) {
        extensions.add(className);
        return source(className, source);
    }

    /**
     * Compiles and writes {@code <dir>/<id>.jar}, building in a sibling of {@code dir} so the plugins
     * directory holds only the jar; {@code id == null} writes a jar with no Plugin-Id.
     */
    Path writeTo(Path dir) throws IOException {
        Path work = Files.createTempDirectory(dir.getParent() == null ? dir : dir.getParent(), "plugin-build-");
        Path src = work.resolve("src");
        Path classes = Files.createDirectories(work.resolve("classes"));
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            files.add(file);
        }
        compile(files, classes);

        if (!extensions.isEmpty()) {
            Path index = Files.createDirectories(classes.resolve("META-INF")).resolve("extensions.idx");
            Files.writeString(index, String.join("\n", extensions) + "\n", UTF_8);
        }
        Map<String, String> manifest = new LinkedHashMap<>();
        if (id != null) {
            manifest.put("Plugin-Id", id);
        }
        manifest.put("Plugin-Version", VERSION);
        if (pluginClass != null) {
            manifest.put("Plugin-Class", pluginClass);
        }
        if (requires != null) {
            manifest.put("Plugin-Requires", requires);
        }
        return PluginJars.pack(classes, dir.resolve((id == null ? "no-id" : id) + ".jar"), manifest);
    }

    private static void compile(List<Path> files, Path classes) {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("tests need a JDK: no system Java compiler");
        }
        List<String> args = new ArrayList<>(List.of(
                "-d", classes.toString(),
                "-classpath", System.getProperty("java.class.path"),
                // extensions.idx is written by hand, as the processor's output is what is being imitated
                "-proc:none",
                "--release", "17",
                "-nowarn"));
        files.forEach(f -> args.add(f.toString()));
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = compiler.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("test plugin does not compile:\n" + diagnostics.toString(UTF_8));
        }
    }
}
