package dev.rktj.stage1.fly;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rktj.kernel.spi.PodEnter;
import dev.rktj.kernel.spi.PodExit;
import dev.rktj.kernel.spi.PodGc;
import dev.rktj.kernel.spi.PodRun;
import dev.rktj.kernel.spi.PodStop;
import dev.rktj.kernel.spi.Stage1Capability;
import dev.rktj.kernel.spi.Stage1Exception;
import dev.rktj.kernel.spi.Stage1Fixture;
import dev.rktj.kernel.spi.Stage1Info;
import dev.rktj.kernel.spi.Stage1Process;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What fly does beyond the stage1 contract; runs real pods, so it needs root. */
@Tag("root")
class FlyStage1Test {

    private final FlyStage1 fly = new FlyStage1();
    private Stage1Fixture fixture;

    @BeforeEach
    void createFixture() throws IOException {
        assumeTrue(Stage1Fixture.isRoot(), "fly runs pods with mount namespaces and chroot: needs root");
        fixture = Stage1Fixture.create();
    }

    @AfterEach
    void removeFixture() throws IOException {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void info_declaresFlyWithInteractiveAndLaunch() {
        Stage1Info info = fly.info();

        assertEquals("fly", info.name());
        assertEquals("coreos.com/rkt/stage1-fly", info.appcName());
        assertEquals(Set.of(Stage1Capability.INTERACTIVE, Stage1Capability.LAUNCH, Stage1Capability.STOP,
                Stage1Capability.ENTER), info.capabilities());
        assertNotEquals("unknown", info.version());
    }

    @Test
    void run_appKilledBySigkill_reports137() throws Exception {
        PodRun pod = fixture.pod(fixture.app("main", "/bin/sh", "-c", "kill -9 $$"));

        PodExit exit = fixture.waitFor(fixture.run(fly, pod));

        assertEquals(137, exit.exitCode());
        assertEquals(Map.of("main", 137), exit.appExitCodes());
        assertEquals("137", Files.readString(pod.statusDir().resolve("main"), UTF_8));
    }

    @Test
    void run_nobodyWaiting_podStillHoldsTheLockAndWritesItsStatus() throws Exception {
        PodRun pod = fixture.pod(fixture.app("main", "/bin/sh", "-c", "sleep 2; exit 5"));

        // as if stage0 were gone: the pod's own processes must keep the lock and record the code
        fixture.run(fly, pod);
        assertTrue(Stage1Fixture.awaitFile(Duration.ofSeconds(20), pod.podDir().resolve("ppid")).isPresent());
        int whileRunning = Stage1Fixture.probeLock(pod.lockFile());
        Optional<String> status = Stage1Fixture.awaitFile(Duration.ofSeconds(30), pod.statusDir().resolve("main"));

        assertEquals(1, whileRunning);
        assertEquals(Optional.of("5"), status);
        assertTrue(lockFreedWithin(pod.lockFile(), Duration.ofSeconds(20)), "lock still held after the app ended");
    }

    @Test
    void run_ppid_isTheParentOfTheApp() throws Exception {
        PodRun pod = fixture.pod(fixture.app("main", "/bin/sleep", "2"));

        Stage1Process process = fixture.run(fly, pod);
        long ppid = Long.parseLong(Stage1Fixture.awaitFile(Duration.ofSeconds(20), pod.podDir().resolve("ppid"))
                .orElseThrow());
        // ppid is written just before the shell forks the app: give the fork a moment
        ProcessHandle parent = ProcessHandle.of(ppid).orElseThrow();
        List<ProcessHandle> children = parent.children().toList();
        for (long deadline = System.currentTimeMillis() + 1_500; children.isEmpty() && System.currentTimeMillis() < deadline; ) {
            Thread.sleep(10);
            children = parent.children().toList();
        }
        fixture.waitFor(process);

        assertEquals(1, children.size(), "the ppid process has exactly the app as its child");
    }

    @Test
    void run_readOnlyRootfs_writesToTheRootfsFailButTmpWorks() throws Exception {
        PodRun pod = fixture.pod(fixture.app("main", "/bin/sh", "-c",
                "if (echo x > /new-file) 2>/dev/null; then exit 0; fi; echo t > /tmp/t || exit 8; exit 7")
                .readOnlyRootfs());

        PodExit exit = fixture.waitFor(fixture.run(fly, pod));

        assertEquals(7, exit.exitCode(), "0: the rootfs was writable; 8: /tmp was not");
    }

    @Test
    void run_appWritingTmp_leavesItNeitherInTheTreeNorInTheUpperDir() throws Exception {
        PodRun pod = fixture.pod(fixture.app("main", "/bin/sh", "-c", "echo t > /tmp/t && exit 0"));

        PodExit exit = fixture.waitFor(fixture.run(fly, pod));

        assertEquals(0, exit.exitCode());
        assertFalse(Files.exists(fixture.tree().resolve("tmp/t")));
        assertFalse(Files.exists(pod.apps().get(0).appDir().resolve("upper/tmp/t")));
    }

    @Test
    void run_workingDirectoryThroughSymlinks_resolvesInsideTheImage() throws Exception {
        Path tree = fixture.tree();
        Files.createDirectories(tree.resolve("srv/data"));
        // an absolute link and one climbing past the root: both must stay in the image
        Files.createSymbolicLink(tree.resolve("data"), Path.of("/srv/data"));
        Files.createSymbolicLink(tree.resolve("srv/up"), Path.of("../../../../../srv"));
        PodRun pod = fixture.pod(fixture.app("main", "/bin/sh", "-c", "[ \"$(pwd)\" = /srv/data ] || exit 9")
                .workingDirectory("/srv/up/up/data"));

        PodExit exit = fixture.waitFor(fixture.run(fly, pod));

        assertEquals(0, exit.exitCode());
    }

    @Test
    void run_missingWorkingDirectory_isRefusedBeforeStarting() throws Exception {
        PodRun pod = fixture.pod(fixture.app("main", "/bin/true").workingDirectory("/nope"));

        Stage1Exception e = assertThrows(Stage1Exception.class, () -> fixture.run(fly, pod));

        assertEquals("stage1 fly: working directory \"/nope\" does not exist in the image", e.getMessage());
        assertFalse(Files.exists(pod.podDir().resolve("ppid")));
    }

    @Test
    void run_twoApps_isRefusedNamingTheCount() throws Exception {
        PodRun pod = fixture.pod(fixture.app("one", "/bin/true"), fixture.app("two", "/bin/true"));

        Stage1Exception e = assertThrows(Stage1Exception.class, () -> fixture.run(fly, pod));

        assertEquals("stage1 fly: a pod must have exactly one app (got 2)", e.getMessage());
    }

    @Test
    void run_notInteractive_appGetsAnEmptyStdin() throws Exception {
        PodRun pod = fixture.pod(fixture.app("main", "/bin/sh", "-c", "read line && exit 5; exit 0"));

        PodExit exit = fixture.waitFor(fixture.run(fly, pod));

        assertEquals(0, exit.exitCode());
    }

    @Test
    void run_imageWithSymlinkAtTmp_failsWithoutMountingAndWithoutAppCode() throws Exception {
        Path tree = fixture.tree();
        Files.delete(tree.resolve("tmp"));
        // a tmpfs mounted through this link would land on the host's /var/tmp
        Files.createSymbolicLink(tree.resolve("tmp"), Path.of("/var/tmp"));
        PodRun pod = fixture.pod(fixture.app("main", "/bin/true"));

        PodExit exit = fixture.waitFor(fixture.run(fly, pod));

        assertEquals(new PodExit(254, Map.of()), exit);
        assertFalse(Files.exists(pod.statusDir().resolve("main")));
    }

    @Test
    void enter_pidThatIsNotThePodsApp_isRefused() throws Exception {
        // pid 1 is alive, but it is not this pod's app: entering it would enter the host
        Stage1Exception e = assertThrows(Stage1Exception.class,
                () -> fly.enter(new PodEnter("uuid", fixture.dir(), "main", 1, List.of("/bin/true"))));
        assertEquals("stage1 fly: pod uuid is not running", e.getMessage());
    }

    @Test
    void stop_podThatIsNotRunning_saysSo() throws Exception {
        Stage1Exception e = assertThrows(Stage1Exception.class,
                () -> fly.stop(new PodStop("uuid", fixture.dir(), true, Duration.ZERO)));
        assertEquals("stage1 fly: pod uuid is not running", e.getMessage());
    }

    @Test
    void stopAndEnter_runningPod_enterChrootsIntoTheAppAndStopEndsIt() throws Exception {
        PodRun pod = fixture.pod(fixture.app("main", "/bin/sh", "-c", "trap 'exit 9' TERM; sleep 60 & wait"));
        var process = fixture.run(fly, pod);
        assertTrue(Stage1Fixture.awaitFile(Duration.ofSeconds(20), pod.podDir().resolve("ppid")).isPresent());
        long app = 0;
        for (int i = 0; i < 100 && app == 0; i++) {
            long script = Long.parseLong(Files.readString(pod.podDir().resolve("ppid")).strip());
            app = ProcessHandle.of(script).flatMap(p -> p.children().findFirst()).map(ProcessHandle::pid).orElse(0L);
            Thread.sleep(50);
        }

        int entered = fly.enter(new PodEnter(pod.uuid(), pod.podDir(), "main", app,
                List.of("/bin/sh", "-c", "echo inside > /entered")));
        fly.stop(new PodStop(pod.uuid(), pod.podDir(), false, Duration.ofSeconds(20)));
        PodExit exit = fixture.waitFor(process);

        assertEquals(0, entered);
        assertEquals("inside\n", Files.readString(pod.apps().get(0).appDir().resolve("upper/entered")));
        assertEquals(new PodExit(9, Map.of("main", 9)), exit);
    }

    @Test
    void gc_podDirNotThere_succeeds() throws Exception {
        fly.gc(new PodGc("uuid", fixture.dir().resolve("gone")));
    }

    @Test
    void gc_somethingMountedUnderThePodDir_refusesNamingIt() {
        // /proc is a mount point on any Linux host: gc only reads the mount table
        Stage1Exception e = assertThrows(Stage1Exception.class, () -> fly.gc(new PodGc("uuid", Path.of("/proc"))));

        assertEquals("stage1 fly: /proc is still mounted on the host; unmount it before removing the pod",
                e.getMessage());
    }

    private static boolean lockFreedWithin(Path lockFile, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Stage1Fixture.probeLock(lockFile) == 0) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }
}
