package dev.rktj.kernel.spi;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every stage1 owes the kernel (see {@link Stage1}), run against real pods: a
 * stage1 plugin's test extends this class and supplies {@link #newStage1()}.
 *
 * <p>Apps are {@code sh -c} scripts in a rootfs built from host binaries ({@code TestRootfs}); they
 * report what they saw through distinct exit codes, so the suite needs nothing from the stage1
 * but the SPI. Tagged {@code root}: stage1s mount and chroot, and the suite is skipped elsewhere.
 */
@Tag("root")
public abstract class Stage1ContractTest {

    /** A new instance of the stage1 under test. */
    protected abstract Stage1 newStage1();

    protected Stage1 stage1;
    protected Stage1Fixture fixture;

    @BeforeEach
    void createFixture() throws IOException {
        assumeTrue(Stage1Fixture.isRoot(), "stage1 contract tests need root: a stage1 mounts and chroots");
        stage1 = newStage1();
        fixture = Stage1Fixture.create();
    }

    @AfterEach
    void removeFixture() throws IOException {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void info_describesTheStage1() {
        Stage1Info info = stage1.info();
        assertNotNull(info);
        assertFalse(info.name().isBlank(), "name");
        assertFalse(info.appcName().isBlank(), "appcName");
        assertFalse(info.version().isBlank(), "version");
        assertNotNull(info.capabilities());
    }

    @Test
    void run_appExitingWith3_reportsTheCodeInPodExitAndStatusFile() throws Exception {
        PodRun pod = fixture.pod(fixture.app("main", "/bin/sh", "-c",
                // writes and reads back a file first: the app's rootfs must be writable
                "echo hello > /hello && [ \"$(cat /hello)\" = hello ] || exit 9; exit 3"));

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(3, exit.exitCode());
        assertEquals(Map.of("main", 3), exit.appExitCodes());
        assertEquals("3", Files.readString(pod.statusDir().resolve("main"), UTF_8).strip());
    }

    @Test
    void launch_startedByAnotherProcess_runsThePodAsRunWould() throws Exception {
        assumeTrue(stage1.info().can(Stage1Capability.LAUNCH), "the stage1 does not declare LAUNCH");
        PodRun pod = fixture.pod(fixture.app("main", "/bin/sh", "-c", "echo launched > /out && exit 4"));

        Stage1Launch launch = stage1.launch(pod);
        // a thin client knows nothing but the description: started by hand, as it does
        Process started = new ProcessBuilder(launch.command()).directory(launch.directory().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).start();
        String output = new String(started.getInputStream().readAllBytes(), UTF_8);
        started.waitFor();

        assertEquals("4", Files.readString(pod.statusDir().resolve("main"), UTF_8).strip(), output);
        assertEquals(0, Stage1Fixture.probeLock(pod.lockFile()), "flock -n on the lock file after the pod ended");
    }

    @Test
    void launch_withoutTheLaunchCapability_failsWithStage1Exception() throws Exception {
        assumeFalse(stage1.info().can(Stage1Capability.LAUNCH), "the stage1 declares LAUNCH");
        PodRun pod = fixture.pod(fixture.app("main", "/bin/true"));
        assertThrows(Stage1Exception.class, () -> stage1.launch(pod));
    }

    @Test
    void run_appExitingWith0_reportsZero() throws Exception {
        PodRun pod = fixture.pod(fixture.app("main", "/bin/true"));

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(0, exit.exitCode());
        assertEquals(Map.of("main", 0), exit.appExitCodes());
        assertEquals("0", Files.readString(pod.statusDir().resolve("main"), UTF_8).strip());
    }

    @Test
    void run_appRunning_pidOrPpidFileIsWritten() throws Exception {
        PodRun pod = fixture.pod(fixture.app("main", "/bin/sleep", "2"));

        Stage1Process process = fixture.run(stage1, pod);
        Optional<String> pid = Stage1Fixture.awaitFile(Duration.ofSeconds(20),
                pod.podDir().resolve("pid"), pod.podDir().resolve("ppid"));
        fixture.waitFor(process);

        assertTrue(pid.isPresent(), "neither pid nor ppid was written in " + pod.podDir());
        assertTrue(Long.parseLong(pid.get()) > 0, "pid file holds " + pid.get());
    }

    @Test
    void run_appRunning_holdsTheLockUntilItEnds() throws Exception {
        PodRun pod = fixture.pod(fixture.app("main", "/bin/sleep", "3"));

        Stage1Process process = fixture.run(stage1, pod);
        // the pid file is written once the app runs, by then the lock must be held
        assertTrue(Stage1Fixture.awaitFile(Duration.ofSeconds(20),
                pod.podDir().resolve("pid"), pod.podDir().resolve("ppid")).isPresent(), "no pid or ppid file");
        int whileRunning = Stage1Fixture.probeLock(pod.lockFile());
        fixture.waitFor(process);
        int afterExit = Stage1Fixture.probeLock(pod.lockFile());

        assertEquals(1, whileRunning, "flock -n on the lock file while the app runs");
        assertEquals(0, afterExit, "flock -n on the lock file after the pod ended");
    }

    @Test
    void run_anyApp_leavesTheHostMountTableAsItWas() throws Exception {
        List<String> before = Stage1Fixture.hostMounts();
        PodRun pod = fixture.pod(fixture.app("main", "/bin/sleep", "2"));

        Stage1Process process = fixture.run(stage1, pod);
        assertTrue(Stage1Fixture.awaitFile(Duration.ofSeconds(20),
                pod.podDir().resolve("pid"), pod.podDir().resolve("ppid")).isPresent(), "no pid or ppid file");
        List<String> during = Stage1Fixture.hostMounts();
        fixture.waitFor(process);
        List<String> after = Stage1Fixture.hostMounts();

        assertEquals(before, during, "host mounts while the pod runs");
        assertEquals(before, after, "host mounts after the pod ended");
    }

    @Test
    void run_app_seesItsEnvironmentWorkingDirectoryAndIdentity() throws Exception {
        Files.createDirectories(fixture.tree().resolve("work"));
        String leak = hostOnlyVariable();
        String script = String.join("\n",
                "[ \"$GREETING\" = 'hello world' ] || exit 10",
                "[ \"${EMPTY+set}\" = set ] && [ -z \"$EMPTY\" ] || exit 11",
                "[ \"$(pwd)\" = /work ] || exit 12",
                "[ \"$(id -u)\" = 1000 ] || exit 13",
                "[ \"$(id -g)\" = 1000 ] || exit 14",
                "[ \"$(id -G)\" = '1000 27' ] || exit 15",
                leak == null ? "true" : "[ -z \"${" + leak + "+set}\" ] || exit 16",
                "exit 0");
        PodRun pod = fixture.pod(fixture.app("main", "/bin/sh", "-c", script)
                .env("GREETING", "hello world")
                .env("EMPTY", "")
                .user(1000, 1000, 27)
                .workingDirectory("/work"));

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(0, exit.exitCode(), "exit codes 10-16 say which check failed in the app (see the script)");
    }

    @Test
    void run_relativeExec_isFoundThroughTheAppsPath() throws Exception {
        PodRun pod = fixture.pod(fixture.app("main", "sh", "-c", "exit 4"));

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(4, exit.exitCode());
    }

    @Test
    void run_appWritingEverywhere_leavesTheTreeUnmodified() throws Exception {
        Map<String, String> before = snapshot(fixture.tree());
        PodRun pod = fixture.pod(fixture.app("main", "/bin/sh", "-c", String.join(" && ",
                "echo new > /new-file",
                "echo more >> /etc/passwd",
                "rm /bin/echo",
                "mkdir /new-dir",
                "echo temp > /tmp/temp",
                "exit 0")));

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(0, exit.exitCode(), "the app could not write its rootfs");
        assertEquals(before, snapshot(fixture.tree()));
    }

    @Test
    void run_moreAppsThanSupported_isRefused() throws Exception {
        assumeFalse(stage1.info().can(Stage1Capability.MULTI_APP), "this stage1 runs several apps");
        PodRun pod = fixture.pod(fixture.app("one", "/bin/true"), fixture.app("two", "/bin/true"));

        assertThrows(Stage1Exception.class, () -> fixture.run(stage1, pod));
    }

    @Test
    void enter_withoutTheEnterCapability_failsWithStage1Exception() throws Exception {
        assumeFalse(stage1.info().can(Stage1Capability.ENTER), "this stage1 can enter");
        PodRun pod = fixture.pod(fixture.app("main", "/bin/true"));

        assertThrows(Stage1Exception.class,
                () -> stage1.enter(new PodEnter(pod.uuid(), pod.podDir(), "main", 1, List.of("/bin/true"))));
    }

    @Test
    void stop_withoutTheStopCapability_failsWithStage1Exception() throws Exception {
        assumeFalse(stage1.info().can(Stage1Capability.STOP), "this stage1 can stop");
        PodRun pod = fixture.pod(fixture.app("main", "/bin/true"));

        assertThrows(Stage1Exception.class,
                () -> stage1.stop(new PodStop(pod.uuid(), pod.podDir(), false, Duration.ofSeconds(1))));
    }

    @Test
    void gc_exitedPod_succeedsAndIsIdempotent() throws Exception {
        PodRun pod = fixture.pod(fixture.app("main", "/bin/true"));
        fixture.waitFor(fixture.run(stage1, pod));

        stage1.gc(new PodGc(pod.uuid(), pod.podDir()));
        stage1.gc(new PodGc(pod.uuid(), pod.podDir()));

        assertEquals(List.of(), Stage1Fixture.mountsUnder(pod.podDir()));
    }

    /** A variable of this JVM's environment that the app must not inherit; null if there is none. */
    private static String hostOnlyVariable() {
        return new TreeMap<>(System.getenv()).keySet().stream()
                .filter(k -> k.matches("[A-Za-z_][A-Za-z0-9_]*"))
                .filter(k -> !List.of("PATH", "PWD", "OLDPWD", "SHLVL", "_", "GREETING", "EMPTY").contains(k))
                .findFirst()
                .orElse(null);
    }

    /** Path to type, owner, mode, size, mtime and link target of everything in the tree. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String link = a.isSymbolicLink() ? " -> " + Files.readSymbolicLink(p) : "";
                entries.put("/" + root.relativize(p), (a.isDirectory() ? "d" : a.isSymbolicLink() ? "l" : "f")
                        + " " + a.owner().getName() + ":" + a.group().getName()
                        + " " + PosixFilePermissions.toString(a.permissions())
                        + " " + (a.isDirectory() ? "" : a.size())
                        + " " + a.lastModifiedTime().toMillis() + link);
            }
        }
        return entries;
    }
}
