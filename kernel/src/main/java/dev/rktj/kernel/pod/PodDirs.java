package dev.rktj.kernel.pod;

import dev.rktj.kernel.fs.Durable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The {@code pods/} directory tree in rkt's layout: a pod's state on disk is the directory it sits
 * in; it moves between them only by atomic rename followed by an fsync of the target parent.
 */
public final class PodDirs {

    /** The state directories, in rkt's names. */
    public enum Dir {
        EMBRYO("embryo"), PREPARE("prepare"), PREPARED("prepared"), RUN("run"),
        EXITED_GARBAGE("exited-garbage"), GARBAGE("garbage");

        public final String name;

        Dir(String name) {
            this.name = name;
        }
    }

    /** Where a pod was found. */
    public record Located(String uuid, Dir dir, Path path) {}

    private final Path root;

    public PodDirs(Path dataDir) {
        this.root = dataDir.resolve("pods");
    }

    public Path root() {
        return root;
    }

    public Path path(Dir dir, String uuid) {
        return root.resolve(dir.name).resolve(uuid);
    }

    public void createLayout() throws IOException {
        for (Dir d : Dir.values()) {
            Files.createDirectories(root.resolve(d.name));
        }
    }

    /** The pod wherever it is, or empty. */
    public Optional<Located> find(String uuid) {
        for (Dir d : Dir.values()) {
            Path p = path(d, uuid);
            if (Files.isDirectory(p)) {
                return Optional.of(new Located(uuid, d, p));
            }
        }
        return Optional.empty();
    }

    /** Every pod in one state directory, sorted by UUID. */
    public List<Located> list(Dir dir) {
        Path d = root.resolve(dir.name);
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(Files::isDirectory)
                    .map(p -> new Located(p.getFileName().toString(), dir, p))
                    .sorted(java.util.Comparator.comparing(Located::uuid))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Resolves a UUID prefix as rkt does: lowercase prefix matched against prepare, prepared, run
     * and exited-garbage.
     */
    public Located resolve(String prefix) throws PodException {
        if (prefix == null || prefix.isEmpty()) {
            throw new PodException("UUID cannot be empty");
        }
        String p = prefix.toLowerCase(java.util.Locale.ROOT);
        List<Located> matches = new ArrayList<>();
        for (Dir d : List.of(Dir.PREPARE, Dir.PREPARED, Dir.RUN, Dir.EXITED_GARBAGE)) {
            for (Located l : list(d)) {
                if (l.uuid().startsWith(p)) {
                    matches.add(l);
                }
            }
        }
        if (matches.isEmpty()) {
            throw new PodException("no matches found for \"" + prefix + "\"");
        }
        if (matches.size() > 1) {
            throw new PodException("ambiguous uuid, " + matches.size() + " matches");
        }
        return matches.get(0);
    }

    /** Renames a pod to another state directory; fails if it is not where the caller expects. */
    public Path move(Located from, Dir to) throws IOException {
        Path target = path(to, from.uuid());
        Durable.move(from.path(), target);
        return target;
    }
}
