package dev.rktj.kernel;

import dev.rktj.kernel.remote.AuthConfig;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What {@code rkt config} shows: the configuration rktj reads from the system, local and user
 * directories, merged as it applies it. Secrets never leave here: every password and token is
 * replaced by {@link #HIDDEN} before a caller sees the entry.
 *
 * @param auth one entry per domain of the merged {@code auth.d}, in domain order
 * @param unread configuration files rktj does not read, each with why (rkt's {@code dockerAuth},
 *     {@code paths.d}, {@code stage1.d})
 */
public record Configuration(List<Auth> auth, List<Unread> unread) {

    /** What a password or token is shown as. */
    public static final String HIDDEN = "********";

    public Configuration {
        auth = List.copyOf(auth);
        unread = List.copyOf(unread);
    }

    /**
     * One domain's credentials as they may be shown.
     *
     * @param type {@code basic} or {@code oauth}
     * @param credentials {@code user} and {@code password}, or {@code token}; secrets as {@link #HIDDEN}
     */
    public record Auth(String domain, String type, Map<String, String> credentials) {}

    /** A configuration file rktj passes over, and why. */
    public record Unread(Path file, String reason) {}

    /** rkt's configuration kinds rktj has no use for yet, by sub-directory. */
    private static final Map<String, String> UNREAD_DIRS = Map.of(
            "paths.d", "rktj does not read paths configuration (give the data directory with --dir)",
            "stage1.d", "rktj does not read stage1 configuration (choose the stage1 with --stage1-name)");

    static Configuration read(KernelConfig config) throws KernelException {
        AuthConfig authConfig;
        try {
            authConfig = AuthConfig.read(config.configDirs());
        } catch (IOException e) {
            throw new KernelException(e.getMessage(), e);
        }
        List<Auth> auth = new ArrayList<>();
        for (AuthConfig.Entry e : authConfig.entries().values()) {
            Map<String, String> shown = new LinkedHashMap<>();
            e.credentials().forEach((k, v) -> shown.put(k, k.equals("user") ? v : HIDDEN));
            auth.add(new Auth(e.domain(), e.type(), shown));
        }
        List<Unread> unread = new ArrayList<>();
        for (AuthConfig.Skipped s : authConfig.skipped()) {
            unread.add(new Unread(s.file(), "rktj does not read rktKind \"" + s.kind() + "\" configuration"));
        }
        for (Path dir : config.configDirs()) {
            for (String sub : new TreeSet<>(UNREAD_DIRS.keySet())) {
                for (Path file : jsonFiles(dir.resolve(sub))) {
                    unread.add(new Unread(file, UNREAD_DIRS.get(sub)));
                }
            }
        }
        return new Configuration(auth, unread);
    }

    private static List<Path> jsonFiles(Path dir) throws KernelException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.json")) {
            s.forEach(files::add);
        } catch (NoSuchFileException e) {
            return files;
        } catch (NotDirectoryException e) {
            throw new KernelException("expected " + dir + " to be a directory", e);
        } catch (IOException e) {
            throw new KernelException("cannot read the configuration directory " + dir + ": " + e.getMessage(), e);
        }
        files.sort(null);
        return files;
    }
}
