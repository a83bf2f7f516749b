package dev.rktj.stage1.nspawn;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.rktj.kernel.spi.Stage1Exception;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Owns the memory cgroups of pods with {@code resource/memory}: whether this host can enforce a
 * limit at all, and their removal once the pod is gone. nspawn-run.sh creates them, below its own
 * cgroup: {@code rkt-<uuid>/<app>}, cgroup v1's memory hierarchy or v2's.
 */
final class MemoryCgroups {

    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    /** Where nspawn-run.sh records the pod's cgroup. */
    static final String RECORD = "memory-cgroup";

    private MemoryCgroups() {}

    static void requireSupport() throws Stage1Exception {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"), UTF_8)) {
                String[] fields = line.split(":", 3);
                if (fields.length != 3) {
                    continue;
                }
                boolean v1 = java.util.Arrays.asList(fields[1].split(",")).contains("memory")
                        && Files.exists(CGROUP_ROOT.resolve("memory").resolve(fields[2].substring(1)).resolve("memory.limit_in_bytes"));
                boolean v2 = fields[0].equals("0") && fields[1].isEmpty()
                        && Files.readString(CGROUP_ROOT.resolve("cgroup.controllers"), UTF_8).contains("memory");
                if (v1 || v2) {
                    return;
                }
            }
        } catch (IOException e) {
            // no cgroup file system to read: no limit either
        }
        throw new Stage1Exception("stage1 nspawn: this host has no memory cgroup controller: resource/memory cannot be enforced");
    }

    /** Removes the pod's cgroups (their processes are gone with the pod); idempotent. */
    static void remove(Path podDir) throws Stage1Exception {
        Path record = podDir.resolve(RECORD);
        if (!Files.exists(record)) {
            return;
        }
        try {
            Path cgroup = Path.of(Files.readString(record, UTF_8).strip()).normalize();
            String uuid = podDir.getFileName().toString();
            if (!cgroup.startsWith(CGROUP_ROOT) || !cgroup.getFileName().toString().equals("rkt-" + uuid)) {
                throw new Stage1Exception("stage1 nspawn: " + record + " names " + cgroup + ", not a cgroup of this pod");
            }
            if (Files.isDirectory(cgroup)) {
                // a cgroup directory is removed with rmdir(2) alone, its files going with it
                try (DirectoryStream<Path> apps = Files.newDirectoryStream(cgroup, Files::isDirectory)) {
                    for (Path app : apps) {
                        Files.delete(app);
                    }
                }
                Files.delete(cgroup);
            }
            Files.delete(record);
        } catch (IOException e) {
            throw new Stage1Exception("stage1 nspawn: cannot remove the memory cgroup of pod " + podDir.getFileName()
                    + ": " + e.getMessage(), e);
        }
    }
}
