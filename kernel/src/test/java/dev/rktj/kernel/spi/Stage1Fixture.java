package dev.rktj.kernel.spi;

import dev.rktj.kernel.fs.MountTable;
import dev.rktj.kernel.fs.SafeDelete;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.rktj.kernel.testing.TestRootfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Owns the scratch space of stage1 tests: a work directory with a runnable rootfs and pod
 * directories, the pods started in it, and its safe removal.
 *
 * <p>Removal refuses to run while anything is mounted under the work directory and never crosses
 * into another file system: a leaked bind mount of {@code /dev} or {@code /sys} must fail the test,
 * not be emptied by it. Shipped in the kernel test-jar for third-party stage1 authors.
 */
public final class Stage1Fixture implements AutoCloseable {

    /** What the default rootfs holds: enough for {@code sh -c} scripts that check their world. */
    public static final List<String> DEFAULT_BINARIES = List.of(
            "/bin/sh", "/bin/true", "/bin/echo", "/bin/sleep", "/bin/cat", "/usr/bin/id", "/bin/pwd",
            "/bin/rm", "/bin/mkdir");

    private static final Duration POD_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final List<Stage1Process> started = new ArrayList<>();
    private Path tree;

    private Stage1Fixture(Path dir) {
        this.dir = dir;
    }

    /** A fresh work directory under {@code java.io.tmpdir}; close the fixture to remove it. */
    public static Stage1Fixture create() throws IOException {
        return new Stage1Fixture(Files.createTempDirectory("rktj-stage1-").toRealPath());
    }

    /** Stage1s mount and chroot: their tests need root. */
    public static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    public Path dir() {
        return dir;
    }

    /** The rendered image every app of this fixture runs in, built once from {@link #DEFAULT_BINARIES}. */
    public Path tree() {
        if (tree == null) {
            tree = TestRootfs.build(dir.resolve("tree"), DEFAULT_BINARIES.toArray(String[]::new));
        }
        return tree;
    }

    /** An app running {@code exec} as root in {@code /}, with {@code PATH=/usr/bin:/bin} only. */
    public App app(String name, String... exec) {
        return new App(name, List.of(exec));
    }

    /** A prepared pod of these apps: its own pod dir, lock file, status dir and per-app dirs. */
    public PodRun pod(App... apps) throws IOException {
        String uuid = UUID.randomUUID().toString();
        Path podDir = Files.createDirectories(dir.resolve("pods").resolve(uuid));
        List<AppRun> runs = new ArrayList<>();
        for (App app : apps) {
            Path appDir = Files.createDirectories(podDir.resolve("apps").resolve(app.name));
            runs.add(new AppRun(app.name, "sha512-" + "0".repeat(64), tree(), appDir, app.exec, app.environment,
                    app.uid, app.gid, app.supplementaryGids, app.workingDirectory, app.readOnlyRootfs));
        }
        return new PodRun(uuid, podDir, podDir.resolve("lock"), podDir.resolve("status"), runs, false, false);
    }

    /** Starts the pod and remembers it, so {@link #close} can kill what a failed test left running. */
    public Stage1Process run(Stage1 stage1, PodRun pod) throws Stage1Exception {
        Stage1Process process = stage1.run(pod);
        started.add(process);
        return process;
    }

    /** Waits for the pod, failing after a minute instead of hanging the build. */
    public PodExit waitFor(Stage1Process process) throws Exception {
        ExecutorService waiter = Executors.newSingleThreadExecutor();
        try {
            Future<PodExit> exit = waiter.submit(process::waitFor);
            return exit.get(POD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            kill(process);
            throw new AssertionError("pod did not end within " + POD_TIMEOUT.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new AssertionError("waitFor failed", e.getCause());
        } finally {
            waiter.shutdownNow();
        }
    }

    /** Polls for a file the pod writes (pid, status); empty when it did not appear in time. */
    public static Optional<String> awaitFile(Duration timeout, Path... candidates) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            for (Path candidate : candidates) {
                try {
                    String content = Files.readString(candidate, UTF_8).strip();
                    if (!content.isEmpty()) {
                        return Optional.of(content);
                    }
                } catch (IOException notYet) {
                    // not written yet
                }
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return Optional.empty();
    }

    /** {@code flock -n -x <lockFile> true}: 0 when the lock is free, 1 while someone holds it. */
    public static int probeLock(Path lockFile) throws IOException, InterruptedException {
        Process probe = new ProcessBuilder("flock", "-n", "-x", lockFile.toString(), "true")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!probe.waitFor(30, TimeUnit.SECONDS)) {
            probe.destroyForcibly();
            throw new AssertionError("flock probe did not finish");
        }
        return probe.exitValue();
    }

    /**
     * The host's mount table as {@code <mount point> <fs type> <source>} lines, in order; ids and
     * options are left out so only real changes show.
     */
    public static List<String> hostMounts() throws IOException {
        return MountTable.mounts();
    }

    /** Mount points at or under {@code dir} in the host's mount table. */
    public static List<String> mountsUnder(Path dir) throws IOException {
        return MountTable.mountsUnder(dir);
    }

    /** Kills what is left of the pods, then removes the work directory if nothing is mounted in it. */
    @Override
    public void close() throws IOException {
        started.forEach(Stage1Fixture::kill);
        List<String> mounted = mountsUnder(dir);
        if (!mounted.isEmpty()) {
            throw new AssertionError("left mounted on the host, so " + dir + " is kept: " + mounted);
        }
        SafeDelete.tree(dir);
    }

    private static void kill(Stage1Process process) {
        ProcessHandle.of(process.pid()).ifPresent(top -> {
            top.descendants().forEach(ProcessHandle::destroyForcibly);
            top.destroyForcibly();
        });
    }

    /** An app to put in a pod; defaults: root, {@code /}, {@code PATH=/usr/bin:/bin}, writable rootfs. */
    public static final class App {
        private final String name;
        private final List<String> exec;
        private final Map<String, String> environment = new LinkedHashMap<>(Map.of("PATH", "/usr/bin:/bin"));
        private int uid;
        private int gid;
        private List<Integer> supplementaryGids = List.of();
        private String workingDirectory = "/";
        private boolean readOnlyRootfs;

        private App(String name, List<String> exec) {
            this.name = name;
            this.exec = exec;
        }

        public App env(String key, String value) {
            environment.put(key, value);
            return this;
        }

        public App user(int uid, int gid, Integer... supplementaryGids) {
            this.uid = uid;
            this.gid = gid;
            this.supplementaryGids = List.of(supplementaryGids);
            return this;
        }

        public App workingDirectory(String path) {
            this.workingDirectory = path;
            return this;
        }

        public App readOnlyRootfs() {
            this.readOnlyRootfs = true;
            return this;
        }
    }
}
