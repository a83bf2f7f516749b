package dev.rktj.stage1.nspawn;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static dev.rktj.stage1.nspawn.PodRuns.awaitRunning;
import static dev.rktj.stage1.nspawn.PodRuns.upper;
import static dev.rktj.stage1.nspawn.PodRuns.with;
import static dev.rktj.stage1.nspawn.PodRuns.withTree;

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

/** What nspawn does beyond the stage1 contract: several apps, handlers, stop, enter (isolators: NspawnIsolatorsTest). */
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
}
