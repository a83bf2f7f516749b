package dev.rktj.kernel.plugin;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Plugin hosts kept open across commands by a long-lived process (the journal agent), so a
 * command pays PF4J's start-up once. A host is reused only while its directories list the same
 * files with the same sizes and times; otherwise a new one is opened and the old one is left to
 * the commands still using it (plugins hold no state between calls) and closed with the cache.
 */
public final class PluginCache implements AutoCloseable {

    private final Map<List<Path>, Entry> hosts = new HashMap<>();
    private final List<PluginHost> retired = new ArrayList<>();

    private record Entry(List<String> listing, PluginHost host) {}

    /** A host for {@code pluginDirs}, opened now or reused; the cache closes it, never the caller. */
    public synchronized PluginHost host(List<Path> pluginDirs) throws PluginException {
        List<Path> key = List.copyOf(pluginDirs);
        List<String> listing = listing(key);
        Entry e = hosts.get(key);
        if (e != null && e.listing().equals(listing)) {
            return e.host();
        }
        PluginHost host = PluginHost.open(key);
        if (e != null) {
            retired.add(e.host());
        }
        hosts.put(key, new Entry(listing, host));
        return host;
    }

    /** Each directory's entries with size and modification time; what a reload would see differently. */
    static List<String> listing(List<Path> dirs) {
        List<String> out = new ArrayList<>();
        for (Path dir : dirs) {
            out.add(dir.toString());
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path p : entries) {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    out.add(p.getFileName() + " " + a.size() + " " + a.lastModifiedTime().toMillis());
                }
            } catch (IOException e) {
                out.add("unreadable");
            }
        }
        out.sort(null);
        return out;
    }

    @Override
    public synchronized void close() {
        hosts.values().forEach(e -> e.host().close());
        retired.forEach(PluginHost::close);
        hosts.clear();
        retired.clear();
    }
}
