package dev.rktj.stage1.nspawn;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.rktj.kernel.spi.PodEnter;
import dev.rktj.kernel.spi.PodStop;
import dev.rktj.kernel.spi.Stage1Exception;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Owns reaching a running pod from the host: its container's init (the only child of the
 * systemd-nspawn process named by {@code ppid}), entering it and stopping it, and the host facts
 * a pod depends on (root, mount namespaces, the mount table, whether systemd is PID 1).
 */
final class PodProcesses {

    private static final Path CHROOT = Path.of("/usr/sbin/chroot");

    private PodProcesses() {}

    /**
     * Runs the command in the pod's namespaces (mount, uts, ipc, network, pid), chrooted into the
     * app's rootfs, as root, with the app's environment; returns its exit status.
     */
    static int enter(PodEnter request) throws Stage1Exception {
        long init = request.pid();
        // only the pod's own init: any other live pid would be entered on the host
        if (containerInit(request.podDir()).map(p -> p.pid() != init).orElse(true)) {
            throw new Stage1Exception("stage1 nspawn: pod " + request.uuid() + " is not running");
        }
        Path stage1 = request.podDir().resolve("stage1/rootfs");
        if (!Files.isDirectory(stage1.resolve("rkt/apps").resolve(request.app()))) {
            throw new Stage1Exception("stage1 nspawn: pod " + request.uuid() + " has no app \"" + request.app() + "\"");
        }
        if (!Files.isExecutable(CHROOT)) {
            throw new Stage1Exception("stage1 nspawn: " + CHROOT + " not found (install coreutils)");
        }
        List<String> command = new ArrayList<>(List.of("nsenter", "--target", String.valueOf(init),
                "--mount", "--uts", "--ipc", "--net", "--pid", "--root", "--wd", "--", "/usr/bin/env", "-i"));
        try {
            for (String variable : Files.readString(stage1.resolve("rkt/env").resolve(request.app()), UTF_8).split("\0")) {
                if (!variable.isEmpty()) {
                    command.add(variable);
                }
            }
        } catch (IOException e) {
            throw new Stage1Exception("stage1 nspawn: cannot read the environment of app \"" + request.app() + "\": "
                    + e.getMessage(), e);
        }
        command.add(CHROOT.toString());
        command.add(AppScripts.rootfs(request.app()));
        command.addAll(request.command());
        try {
            Process process = new ProcessBuilder(command).inheritIO().start();
            return process.waitFor();
        } catch (IOException e) {
            throw new Stage1Exception("stage1 nspawn: cannot enter pod " + request.uuid() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stage1Exception("stage1 nspawn: interrupted while in pod " + request.uuid(), e);
        }
    }

    /**
     * TERM to the supervisor, which stops the apps, runs their post-stop handlers and records
     * their codes; KILL (which takes every process of the pod's pid namespace) when it is still
     * there after the timeout, or at once with force.
     */
    static void stop(PodStop request) throws Stage1Exception {
        ProcessHandle init = containerInit(request.podDir())
                .orElseThrow(() -> new Stage1Exception("stage1 nspawn: pod " + request.uuid() + " is not running"));
        if (!request.force()) {
            init.destroy();
            if (waitForExit(init, request.timeout())) {
                return;
            }
        }
        init.destroyForcibly();
        if (!waitForExit(init, Duration.ofSeconds(10))) {
            throw new Stage1Exception("stage1 nspawn: pod " + request.uuid() + " did not end after SIGKILL");
        }
    }

    /** The container's init: the only child of the systemd-nspawn process the pod recorded in ppid. */
    static Optional<ProcessHandle> containerInit(Path podDir) {
        try {
            long nspawn = Long.parseLong(Files.readString(podDir.resolve("ppid"), UTF_8).strip());
            List<ProcessHandle> children = ProcessHandle.of(nspawn).map(p -> p.children().toList()).orElse(List.of());
            return children.size() == 1 ? Optional.of(children.get(0)) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean waitForExit(ProcessHandle process, Duration timeout) throws Stage1Exception {
        try {
            process.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new Stage1Exception("stage1 nspawn: cannot wait for the pod: " + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stage1Exception("stage1 nspawn: interrupted while stopping the pod", e);
        }
    }

    static void requireRoot() throws Stage1Exception {
        Object uid;
        try {
            uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            throw new Stage1Exception("stage1 nspawn: cannot tell which user runs rkt: " + e.getMessage(), e);
        }
        if (!Integer.valueOf(0).equals(uid)) {
            throw new Stage1Exception("stage1 nspawn: running a pod needs root (it mounts, chroots and starts containers)");
        }
    }

    /** nspawn-run.sh checks it is not in this namespace before it mounts anything. */
    static String hostMountNamespace() throws Stage1Exception {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
        } catch (IOException e) {
            throw new Stage1Exception("stage1 nspawn: cannot read the mount namespace: " + e.getMessage(), e);
        }
    }

    /** sd_booted(3)'s test: with systemd as PID 1 the container registers with machined. */
    static boolean systemdIsInit() {
        return Files.isDirectory(Path.of("/run/systemd/system"));
    }

    /** Refuses when anything is mounted at or below the pod directory in the host's mount table. */
    static void requireNothingMounted(Path podDir) throws Stage1Exception {
        try {
            List<String> roots = List.of(podDir.toString(), podDir.toRealPath().toString());
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), UTF_8)) {
                String[] fields = line.split(" ");
                if (fields.length < 5) {
                    continue;
                }
                String point = fields[4].replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n")
                        .replace("\\134", "\\");
                for (String root : roots) {
                    if (point.equals(root) || point.startsWith(root + "/")) {
                        throw new Stage1Exception("stage1 nspawn: " + point
                                + " is still mounted on the host; unmount it before removing the pod");
                    }
                }
            }
        } catch (IOException e) {
            throw new Stage1Exception("stage1 nspawn: cannot read the mount table: " + e.getMessage(), e);
        }
    }
}
