package dev.rktj.kernel.plugin;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Packs a directory of compiled classes into a plugin jar, for tests that load a plugin through
 * the real {@link PluginHost} before Maven has packaged it (a plugin module's
 * {@code target/classes}, with the {@code extensions.idx} PF4J's processor wrote there).
 */
public final class PluginJars {

    private PluginJars() {}

    /** The manifest entries of a plugin built for this kernel's SPI. */
    public static Map<String, String> manifest(String id, String pluginClass) {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("Plugin-Id", id);
        entries.put("Plugin-Class", pluginClass);
        entries.put("Plugin-Version", "0.0.0-test");
        entries.put("Plugin-Requires", ">=" + PluginHost.SPI_VERSION);
        return entries;
    }

    /** Writes every file under {@code classes} into {@code jar} with these manifest entries. */
    public static Path pack(Path classes, Path jar, Map<String, String> manifestEntries) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifestEntries.forEach(main::putValue);
        Files.createDirectories(jar.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream jarOut = new JarOutputStream(out, manifest);
                Stream<Path> walk = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                String name = classes.relativize(file).toString();
                if (name.equals("META-INF/MANIFEST.MF")) {
                    continue;
                }
                jarOut.putNextEntry(new JarEntry(name));
                jarOut.write(Files.readAllBytes(file));
                jarOut.closeEntry();
            }
        }
        return jar;
    }
}
