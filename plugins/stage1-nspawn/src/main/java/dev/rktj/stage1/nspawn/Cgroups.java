package dev.rktj.stage1.nspawn;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.rktj.kernel.spi.Stage1Exception;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Owns the cgroups of pods with resource isolators: whether this host can enforce them at all,
 * what they write, and their removal once the pod is gone. nspawn-run.sh creates them below its
 * own cgroup, one per controller: {@code rkt-<uuid>/<app>} in cgroup v1's hierarchy of the
 * controller, or in v2's where the controller can be delegated; each app's start script joins its
 * own.
 */
final class Cgroups {

    /** A controller nspawn-run.sh limits, with the file only v1's hierarchy of it has. */
    enum Controller {
        MEMORY("memory", "memory.limit_in_bytes", "resource/memory"),
        CPU("cpu", "cpu.cfs_quota_us", "resource/cpu");

        final String name;
        final String v1File;
        final String isolator;

        Controller(String name, String v1File, String isolator) {
            this.name = name;
            this.v1File = v1File;
            this.isolator = isolator;
        }

        /** Where nspawn-run.sh records the pod's cgroup of this controller. */
        String record() {
            return name + "-cgroup";
        }
    }

    /** The CFS period nspawn-run.sh sets (the kernel's default): a quota is CPU time per 100 ms. */
    static final long CPU_PERIOD_MICROS = 100_000;
    /** The smallest quota the kernel takes: 1 ms per period, a hundredth of a CPU. */
    private static final long MIN_CPU_QUOTA_MICROS = 1_000;

    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    private Cgroups() {}

    static void requireSupport(Controller controller) throws Stage1Exception {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"), UTF_8)) {
                String[] fields = line.split(":", 3);
                if (fields.length != 3) {
                    continue;
                }
                boolean v1 = Arrays.asList(fields[1].split(",")).contains(controller.name)
                        && Files.exists(CGROUP_ROOT.resolve(controller.name).resolve(fields[2].substring(1)).resolve(controller.v1File));
                boolean v2 = fields[0].equals("0") && fields[1].isEmpty()
                        && Arrays.asList(Files.readString(CGROUP_ROOT.resolve("cgroup.controllers"), UTF_8).strip().split(" "))
                                .contains(controller.name);
                if (v1 || v2) {
                    return;
                }
            }
        } catch (IOException e) {
            // no cgroup file system to read: no limit either
        }
        throw new Stage1Exception("stage1 nspawn: this host has no " + controller.name + " cgroup controller: "
                + controller.isolator + " cannot be enforced");
    }

    /**
     * The CFS quota of a {@code resource/cpu} limit, in microseconds per {@link #CPU_PERIOD_MICROS}
     * (rkt's CPUQuota: 500m is half of every period).
     */
    static long cpuQuotaMicros(String app, long millis) throws Stage1Exception {
        long quota = Math.multiplyExact(millis, CPU_PERIOD_MICROS / 1000);
        if (quota < MIN_CPU_QUOTA_MICROS) {
            throw new Stage1Exception("stage1 nspawn: app \"" + app + "\": resource/cpu limit " + millis
                    + "m is below the kernel's smallest CPU quota, 10m");
        }
        return quota;
    }

    /** Removes the pod's cgroups (their processes are gone with the pod); idempotent. */
    static void remove(Path podDir) throws Stage1Exception {
        for (Controller controller : Controller.values()) {
            remove(podDir, controller);
        }
    }

    private static void remove(Path podDir, Controller controller) throws Stage1Exception {
        Path record = podDir.resolve(controller.record());
        if (!Files.exists(record)) {
            return;
        }
        try {
            Path cgroup = Path.of(Files.readString(record, UTF_8).strip()).normalize();
            String uuid = podDir.getFileName().toString();
            if (!cgroup.startsWith(CGROUP_ROOT) || !cgroup.getFileName().toString().equals("rkt-" + uuid)) {
                throw new Stage1Exception("stage1 nspawn: " + record + " names " + cgroup + ", not a cgroup of this pod");
            }
            // on cgroup v2 every controller's record names the same cgroup: the first removal takes it
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
            throw new Stage1Exception("stage1 nspawn: cannot remove the " + controller.name + " cgroup of pod "
                    + podDir.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /** The words nspawn-run.sh takes for one app's limits: memory bytes, CPU quota, CPU shares ("-" for none). */
    static List<String> arguments(Long memory, Long cpuQuota, Long cpuShares) {
        return List.of(word(memory), word(cpuQuota), word(cpuShares));
    }

    private static String word(Long value) {
        return value == null ? "-" : String.valueOf(value);
    }
}
