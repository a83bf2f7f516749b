package dev.rktj.stage1.nspawn;

import dev.rktj.kernel.spi.Stage1Exception;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Owns where nspawn finds the programs it runs: on the host, fixed system directories only (a
 * caller's PATH must not swap a tool that runs as root); in the container, the same programs
 * through the host's {@code /usr}, which the container gets read-only. {@code sh}, {@code mount}
 * and {@code mkdir} are run by the scripts by name, from those same directories.
 */
record Tools(Path flock, Path unshare, Path sh, Path nspawn, Path env, Path setpriv, Path nsenter) {

    private static final List<String> DIRECTORIES = List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin");

    static Tools find() throws Stage1Exception {
        find("mount", "util-linux");
        return new Tools(find("flock", "util-linux"), find("unshare", "util-linux"), find("sh", "a POSIX shell"),
                find("systemd-nspawn", "systemd-container"), inUsr("env", "coreutils"), inUsr("setpriv", "util-linux"),
                inUsr("nsenter", "util-linux"));
    }

    /** perl, which installs system call filters in the container (exec.pl); only pods with one need it. */
    static Path perl() throws Stage1Exception {
        return inUsr("perl", "perl-base");
    }

    /** A tool the container runs: it sees the host's /usr, so the tool must be there. */
    private static Path inUsr(String tool, String provider) throws Stage1Exception {
        Path found = find(tool, provider);
        for (String directory : List.of("/usr/bin", "/usr/sbin")) {
            Path candidate = Path.of(directory, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new Stage1Exception("stage1 nspawn: " + tool + " is at " + found + ", outside /usr, which is all the pod sees of the host");
    }

    private static Path find(String tool, String provider) throws Stage1Exception {
        return DIRECTORIES.stream()
                .map(directory -> Path.of(directory, tool))
                .filter(candidate -> Files.isRegularFile(candidate) && Files.isExecutable(candidate))
                .findFirst()
                .orElseThrow(() -> new Stage1Exception("stage1 nspawn: " + tool + " not found (install " + provider + ")"));
    }
}
