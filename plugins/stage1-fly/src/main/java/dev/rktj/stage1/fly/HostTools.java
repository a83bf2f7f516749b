package dev.rktj.stage1.fly;

import dev.rktj.kernel.spi.Stage1Exception;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Owns where fly finds the host programs it chains: fixed system directories only, so a PATH
 * set by the caller cannot swap a tool that runs as root.
 */
record HostTools(Path flock, Path unshare, Path sh, Path env, Path setpriv, Path nsenter) {

    private static final List<String> DIRECTORIES = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin");

    static HostTools find() throws Stage1Exception {
        // mount is run by the script; checked here so a missing one fails before anything starts
        find("mount", "util-linux");
        return new HostTools(
                find("flock", "util-linux"),
                find("unshare", "util-linux"),
                find("sh", "a POSIX shell"),
                find("env", "coreutils"),
                find("setpriv", "util-linux"),
                find("nsenter", "util-linux"));
    }

    /**
     * perl, which runs fly-tty.pl for interactive pods; setsid, which fly-run.sh then runs, is
     * checked with it.
     */
    static Path perl() throws Stage1Exception {
        find("setsid", "util-linux");
        return find("perl", "perl-base");
    }

    private static Path find(String tool, String provider) throws Stage1Exception {
        for (String directory : DIRECTORIES) {
            Path candidate = Path.of(directory, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new Stage1Exception("stage1 fly: " + tool + " not found (install " + provider + ")");
    }
}
