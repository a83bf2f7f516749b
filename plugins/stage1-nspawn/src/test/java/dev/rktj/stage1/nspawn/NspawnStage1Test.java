package dev.rktj.stage1.nspawn;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rktj.kernel.spi.AppIsolators;
import dev.rktj.kernel.spi.AppRun;
import dev.rktj.kernel.spi.PodEnter;
import dev.rktj.kernel.spi.PodExit;
import dev.rktj.kernel.spi.PodGc;
import dev.rktj.kernel.spi.PodRun;
import dev.rktj.kernel.spi.PodStop;
import dev.rktj.kernel.spi.Stage1Exception;
import dev.rktj.kernel.spi.Stage1Fixture;
import dev.rktj.kernel.spi.Stage1Process;
import dev.rktj.kernel.testing.TestRootfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What nspawn does beyond the stage1 contract: several apps, handlers, stop, enter, isolators. */
@Tag("root")
class NspawnStage1Test {

    private final NspawnStage1 stage1 = new NspawnStage1();
    private Stage1Fixture fixture;

    @BeforeEach
    void createFixture() throws Exception {
        assumeTrue(Stage1Fixture.isRoot(), "nspawn pods need root");
        fixture = Stage1Fixture.create();
    }

    @AfterEach
    void removeFixture() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void run_appsExiting0Then5_stopsTheThirdAndExitsWith5() throws Exception {
        PodRun pod = fixture.pod(
                fixture.app("one", "/bin/sh", "-c", "exit 0"),
                fixture.app("two", "/bin/sh", "-c", "sleep 0.5; exit 5"),
                // ends with 6 only when the supervisor stops it, long before its sleep would
                fixture.app("three", "/bin/sh", "-c", "trap 'exit 6' TERM; sleep 60 & wait"));

        long start = System.nanoTime();
        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(5, exit.exitCode());
        assertEquals(Map.of("one", 0, "two", 5, "three", 6), exit.appExitCodes());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(30).toNanos(), "the failure did not stop the pod");
    }

    @Test
    void run_appsAllSucceeding_exitsWith0AndRecordsEach() throws Exception {
        PodRun pod = fixture.pod(fixture.app("one", "/bin/true"), fixture.app("two", "/bin/sh", "-c", "sleep 0.2"));

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(0, exit.exitCode());
        assertEquals(Map.of("one", 0, "two", 0), exit.appExitCodes());
    }

    @Test
    void run_handlers_runPreStartThenAppThenPostStop() throws Exception {
        PodRun pod = with(fixture.pod(fixture.app("main", "/bin/sh", "-c", "echo app >> /log; exit 3")),
                List.of("/bin/sh", "-c", "echo pre >> /log"), List.of("/bin/sh", "-c", "echo post >> /log"),
                AppIsolators.NONE);

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(3, exit.exitCode());
        assertEquals("pre\napp\npost\n", Files.readString(upper(pod, 0).resolve("log"), UTF_8));
    }

    @Test
    void run_preStartFailing_neverStartsTheApp() throws Exception {
        PodRun pod = with(fixture.pod(fixture.app("main", "/bin/sh", "-c", "echo app >> /log")),
                List.of("/bin/sh", "-c", "echo pre >> /log; exit 7"), List.of(), AppIsolators.NONE);

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(7, exit.exitCode());
        assertEquals("pre\n", Files.readString(upper(pod, 0).resolve("log"), UTF_8));
    }

    @Test
    void stop_runningPod_termsTheAppAndRunsItsPostStop() throws Exception {
        PodRun pod = with(fixture.pod(fixture.app("main", "/bin/sh", "-c", "trap 'exit 9' TERM; sleep 60 & wait")),
                List.of(), List.of("/bin/sh", "-c", "echo post >> /log"), AppIsolators.NONE);
        Stage1Process process = fixture.run(stage1, pod);
        awaitRunning(pod, "main");

        stage1.stop(new PodStop(pod.uuid(), pod.podDir(), false, Duration.ofSeconds(20)));
        PodExit exit = fixture.waitFor(process);

        assertEquals(Map.of("main", 9), exit.appExitCodes());
        assertEquals("post\n", Files.readString(upper(pod, 0).resolve("log"), UTF_8));
        assertEquals(0, Stage1Fixture.probeLock(pod.lockFile()));
    }

    @Test
    void stop_force_killsThePodAtOnce() throws Exception {
        PodRun pod = fixture.pod(fixture.app("main", "/bin/sh", "-c", "trap '' TERM; sleep 60 & wait"));
        Stage1Process process = fixture.run(stage1, pod);
        awaitRunning(pod, "main");

        long start = System.nanoTime();
        stage1.stop(new PodStop(pod.uuid(), pod.podDir(), true, Duration.ofSeconds(30)));
        PodExit exit = fixture.waitFor(process);

        assertTrue(System.nanoTime() - start < Duration.ofSeconds(15).toNanos(), "--force waited for the timeout");
        assertEquals(Map.of(), exit.appExitCodes(), "a killed pod records no app code");
        assertEquals(0, Stage1Fixture.probeLock(pod.lockFile()));
    }

    @Test
    void enter_ps_seesOnlyThePodsProcesses() throws Exception {
        Path tree = TestRootfs.build(fixture.dir().resolve("ps-tree"), "/bin/sh", "/bin/sleep", "/usr/bin/ps");
        PodRun pod = withTree(fixture.pod(fixture.app("one", "/bin/sleep", "60"), fixture.app("two", "/bin/sleep", "61")), tree);
        Stage1Process process = fixture.run(stage1, pod);
        awaitRunning(pod, "one");
        awaitRunning(pod, "two");

        long init = PodProcesses.containerInit(pod.podDir()).orElseThrow().pid();
        int code = stage1.enter(new PodEnter(pod.uuid(), pod.podDir(), "one", init,
                List.of("/bin/sh", "-c", "ps -e -o pid=,args= > /ps.out")));
        stage1.stop(new PodStop(pod.uuid(), pod.podDir(), true, Duration.ofSeconds(1)));
        fixture.waitFor(process);

        assertEquals(0, code);
        String ps = Files.readString(upper(pod, 0).resolve("ps.out"), UTF_8);
        List<String> commands = ps.lines().map(String::strip).toList();
        assertTrue(commands.stream().anyMatch(l -> l.startsWith("1 ") && l.contains("supervisor.sh")), ps);
        assertTrue(commands.stream().anyMatch(l -> l.endsWith("/bin/sleep 60")), ps);
        assertTrue(commands.stream().anyMatch(l -> l.endsWith("/bin/sleep 61")), ps);
        assertFalse(commands.stream().anyMatch(l -> l.contains("java") || l.contains("systemd-nspawn")), ps);
        assertTrue(commands.size() < 15, ps);
    }

    @Test
    void run_memoryLimit_killsAnAppAllocatingPastIt() throws Exception {
        assumeTrue(memoryCgroupUsable(), "this host cannot limit memory through cgroups");
        Path tree = TestRootfs.build(fixture.dir().resolve("alloc-tree"), "/bin/sh", "/usr/bin/head", "/usr/bin/tr");
        // a shell holds a command substitution's output in memory: 64 MB against a 16 MiB limit
        String allocate = "x=$(head -c 64000000 /dev/zero | tr '\\0' a); exit 0";
        PodRun limited = with(withTree(fixture.pod(fixture.app("main", "/bin/sh", "-c", allocate)), tree),
                List.of(), List.of(), new AppIsolators(16L << 20, null, null, false, List.of()));
        PodRun unlimited = withTree(fixture.pod(fixture.app("main", "/bin/sh", "-c", allocate)), tree);

        PodExit killed = fixture.waitFor(fixture.run(stage1, limited));
        PodExit free = fixture.waitFor(fixture.run(stage1, unlimited));
        stage1.gc(new PodGc(limited.uuid(), limited.podDir()));

        assertEquals(Map.of("main", 137), killed.appExitCodes(), "SIGKILL by the OOM killer");
        assertEquals(Map.of("main", 0), free.appExitCodes());
        assertFalse(Files.exists(limited.podDir().resolve(MemoryCgroups.RECORD)), "gc removes the pod's cgroup");
    }

    @Test
    void run_capabilityRemoveSet_dropsItFromTheApp() throws Exception {
        // CapBnd of /proc/self/status as the app sees it; CAP_CHOWN is bit 0, CAP_MKNOD bit 27
        String script = "read_bnd() { while read k v; do if [ \"$k\" = CapBnd: ]; then echo $v; fi; done < /proc/self/status; }; "
                + "read_bnd > /bnd && [ -s /bnd ]";
        PodRun pod = with(fixture.pod(fixture.app("main", "/bin/sh", "-c", script)), List.of(), List.of(),
                new AppIsolators(null, null, List.of("CAP_CHOWN", "CAP_MKNOD"), true, List.of()));

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(0, exit.exitCode());
        long bounding = Long.parseUnsignedLong(Files.readString(upper(pod, 0).resolve("bnd"), UTF_8).strip(), 16);
        long expected = 0;
        for (int bit : new int[] {29, 3, 1, 4, 5, 13, 10, 7, 6, 8, 31, 18}) { // the default set minus CHOWN and MKNOD
            expected |= 1L << bit;
        }
        assertEquals(Long.toHexString(expected), Long.toHexString(bounding));
    }

    @Test
    void launch_isolatorItCannotEnforce_isRefusedNamingIt() throws Exception {
        PodRun pod = with(fixture.pod(fixture.app("main", "/bin/true")), List.of(), List.of(),
                new AppIsolators(null, null, null, false, List.of("resource/cpu")));

        Stage1Exception e = assertThrows(Stage1Exception.class, () -> stage1.launch(pod));

        assertTrue(e.getMessage().contains("resource/cpu"), e.getMessage());
    }

    // ---------------------------------------------------------------- helpers

    /** The same pod, its first app given handlers and isolators. */
    private static PodRun with(PodRun pod, List<String> preStart, List<String> postStop, AppIsolators isolators) {
        List<AppRun> apps = new ArrayList<>(pod.apps());
        AppRun a = apps.get(0);
        apps.set(0, new AppRun(a.name(), a.imageId(), a.tree(), a.appDir(), a.exec(), a.environment(), a.uid(), a.gid(),
                a.supplementaryGids(), a.workingDirectory(), a.readOnlyRootfs(), preStart, postStop, isolators));
        return new PodRun(pod.uuid(), pod.podDir(), pod.lockFile(), pod.statusDir(), apps, pod.interactive(), pod.debug());
    }

    /** The same pod, every app running in {@code tree}. */
    private static PodRun withTree(PodRun pod, Path tree) {
        List<AppRun> apps = pod.apps().stream().map(a -> new AppRun(a.name(), a.imageId(), tree, a.appDir(), a.exec(),
                a.environment(), a.uid(), a.gid(), a.supplementaryGids(), a.workingDirectory(), a.readOnlyRootfs(),
                a.preStart(), a.postStop(), a.isolators())).toList();
        return new PodRun(pod.uuid(), pod.podDir(), pod.lockFile(), pod.statusDir(), apps, pod.interactive(), pod.debug());
    }

    private static Path upper(PodRun pod, int app) {
        return pod.apps().get(app).appDir().resolve("upper");
    }

    /** The app wrote its pid: its start script is running, and is about to become the app. */
    private static void awaitRunning(PodRun pod, String app) throws Exception {
        Path pid = pod.podDir().resolve("stage1/rootfs/rkt/apps").resolve(app).resolve("pid");
        assertTrue(Stage1Fixture.awaitFile(Duration.ofSeconds(20), pid).isPresent(), "app " + app + " did not start");
        Thread.sleep(300);
    }

    private static boolean memoryCgroupUsable() {
        try {
            MemoryCgroups.requireSupport();
            return true;
        } catch (Stage1Exception e) {
            return false;
        }
    }
}
