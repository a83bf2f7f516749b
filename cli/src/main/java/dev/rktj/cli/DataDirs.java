package dev.rktj.cli;

import java.io.IOException;
import java.nio.file.Path;

/** The data directory as every process names it: absolute, with symlinks resolved (one agent per directory). */
final class DataDirs {

    static final String DEFAULT = "/var/lib/rkt";

    private DataDirs() {}

    static Path canonical(Path cwd, String dir) {
        Path p = cwd.resolve(dir).toAbsolutePath().normalize();
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }
}
