package dev.rktj.stage1.nspawn;

import static dev.rktj.stage1.nspawn.PodRuns.insecure;
import static dev.rktj.stage1.nspawn.PodRuns.upper;
import static dev.rktj.stage1.nspawn.PodRuns.with;
import static dev.rktj.stage1.nspawn.PodRuns.withTree;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rktj.kernel.spi.AppIsolators;
import dev.rktj.kernel.spi.PodExit;
import dev.rktj.kernel.spi.PodGc;
import dev.rktj.kernel.spi.PodRun;
import dev.rktj.kernel.spi.Stage1Exception;
import dev.rktj.kernel.spi.Stage1Fixture;
import dev.rktj.kernel.spi.SyscallFilter;
import dev.rktj.kernel.testing.TestRootfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * nspawn's isolators, each checked from inside a real pod: memory and CPU cgroups, capability
 * sets, system call filters, and the protections {@code --insecure-options} turns off.
 */
@Tag("root")
class NspawnIsolatorsTest {

    /** Reads one field of /proc/self/status, as the app sees it, with shell builtins only. */
    private static final String STATUS_FIELD = "field() { while read k v; do if [ \"$k\" = \"$1:\" ]; then echo $v; fi; "
            + "done < /proc/self/status; }; ";
    /** appc's default capabilities and CAP_SYS_ADMIN, which umount(2) needs before any filter is asked. */
    private static final AppIsolators CAN_UNMOUNT = caps(null);

    private final NspawnStage1 stage1 = new NspawnStage1();
    private Stage1Fixture fixture;
    private Path tree;

    @BeforeEach
    void createFixture() throws Exception {
        assumeTrue(Stage1Fixture.isRoot(), "nspawn pods need root");
        fixture = Stage1Fixture.create();
        tree = TestRootfs.build(fixture.dir().resolve("tools"), "/bin/sh", "/bin/cat", "/bin/umount", "/usr/bin/timeout",
                "/usr/bin/head", "/usr/bin/tr");
    }

    @AfterEach
    void removeFixture() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    // ---------------------------------------------------------------- cgroups

    @Test
    void run_memoryLimit_killsAnAppAllocatingPastIt() throws Exception {
        assumeTrue(supported(Cgroups.Controller.MEMORY), "this host cannot limit memory through cgroups");
        // a shell holds a command substitution's output in memory: 64 MB against a 16 MiB limit
        String allocate = "x=$(head -c 64000000 /dev/zero | tr '\\0' a); exit 0";
        PodRun limited = with(app(allocate), new AppIsolators(16L << 20, null, null, false, List.of()));
        PodRun unlimited = app(allocate);

        PodExit killed = fixture.waitFor(fixture.run(stage1, limited));
        PodExit free = fixture.waitFor(fixture.run(stage1, unlimited));
        stage1.gc(new PodGc(limited.uuid(), limited.podDir()));

        assertEquals(Map.of("main", 137), killed.appExitCodes(), "SIGKILL by the OOM killer");
        assertEquals(Map.of("main", 0), free.appExitCodes());
        assertFalse(Files.exists(limited.podDir().resolve(Cgroups.Controller.MEMORY.record())), "gc removes the pod's cgroup");
    }

    @Test
    void run_cpuLimit_throttlesTheAppInItsOwnCgroup() throws Exception {
        assumeTrue(supported(Cgroups.Controller.CPU), "this host cannot limit CPU time through cgroups");
        // 10m: a hundredth of a CPU, the kernel's smallest quota; the app spins for 1.5 s of wall time
        String spin = "read_cgroup() { while read l; do case $l in *:cpu:*|*:cpu,*|0::*) echo $l;; esac; done < /proc/self/cgroup; }; "
                + "read_cgroup > /cgroup; timeout 1.5 sh -c 'while :; do :; done'; times > /times";
        PodRun pod = with(app(spin), new AppIsolators(null, null, null, false, List.of(), 10L, null, null));

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(Map.of("main", 0), exit.appExitCodes());
        Path cgroup = Path.of(Files.readString(pod.podDir().resolve(Cgroups.Controller.CPU.record()), UTF_8)).resolve("main");
        assertTrue(Files.readString(upper(pod, 0).resolve("cgroup"), UTF_8).contains("/rkt-" + pod.uuid() + "/main"),
                "the app ran in its own cgroup");
        if (Files.exists(cgroup.resolve("cpu.max"))) {
            assertEquals("1000 100000", Files.readString(cgroup.resolve("cpu.max"), UTF_8).strip());
        } else {
            assertEquals("1000", Files.readString(cgroup.resolve("cpu.cfs_quota_us"), UTF_8).strip());
            assertEquals("100000", Files.readString(cgroup.resolve("cpu.cfs_period_us"), UTF_8).strip());
        }
        long throttled = Files.readAllLines(cgroup.resolve("cpu.stat"), UTF_8).stream()
                .filter(l -> l.startsWith("nr_throttled ")).mapToLong(l -> Long.parseLong(l.split(" ")[1])).sum();
        assertTrue(throttled > 0, "the kernel throttled the app");
        // times: the shell's own user and system time, then its children's: at most 1% of 1.5 s, and
        // the bound leaves a wide margin for start-up on a loaded machine
        String children = Files.readAllLines(upper(pod, 0).resolve("times"), UTF_8).get(1);
        double seconds = 0;
        for (String t : children.split(" ")) {
            seconds += Integer.parseInt(t.substring(0, t.indexOf('m'))) * 60 + Double.parseDouble(t.substring(t.indexOf('m') + 1, t.length() - 1));
        }
        assertTrue(seconds < 0.25, "the spinning app used " + seconds + " s of CPU in 1.5 s at 10m");
        stage1.gc(new PodGc(pod.uuid(), pod.podDir()));
        assertFalse(Files.exists(cgroup.getParent()), "gc removes the pod's cgroup");
    }

    @Test
    void run_cpuShares_setOnTheAppsCgroup() throws Exception {
        assumeTrue(supported(Cgroups.Controller.CPU), "this host cannot weigh CPU time through cgroups");
        PodRun pod = with(app("true"), new AppIsolators(null, null, null, false, List.of(), null, 512L, null));

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(0, exit.exitCode());
        Path cgroup = Path.of(Files.readString(pod.podDir().resolve(Cgroups.Controller.CPU.record()), UTF_8)).resolve("main");
        if (Files.exists(cgroup.resolve("cpu.weight"))) {
            assertEquals("20", Files.readString(cgroup.resolve("cpu.weight"), UTF_8).strip()); // systemd's conversion
        } else {
            assertEquals("512", Files.readString(cgroup.resolve("cpu.shares"), UTF_8).strip());
        }
        stage1.gc(new PodGc(pod.uuid(), pod.podDir()));
    }

    @Test
    void launch_cpuLimitBelowTheKernelsSmallestQuota_isRefused() throws Exception {
        PodRun pod = with(app("true"), new AppIsolators(null, null, null, false, List.of(), 5L, null, null));

        Stage1Exception e = assertThrows(Stage1Exception.class, () -> stage1.launch(pod));

        assertEquals("stage1 nspawn: app \"main\": resource/cpu limit 5m is below the kernel's smallest CPU quota, 10m",
                e.getMessage());
    }

    // ---------------------------------------------------------------- capabilities

    @Test
    void run_capabilityRemoveSet_dropsItFromTheAppsBoundingAndEffectiveSets() throws Exception {
        PodRun pod = with(app(STATUS_FIELD + "field CapBnd > /bnd; field CapEff > /eff; field CapInh > /inh"),
                new AppIsolators(null, null, List.of("CAP_CHOWN", "CAP_MKNOD"), true, List.of()));

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(0, exit.exitCode());
        long expected = 0;
        for (int bit : new int[] {29, 3, 1, 4, 5, 13, 10, 7, 6, 8, 31, 18}) { // the default set minus CHOWN and MKNOD
            expected |= 1L << bit;
        }
        assertEquals(Long.toHexString(expected), Long.toHexString(hex(upper(pod, 0).resolve("bnd"))));
        // root keeps only what its bounding set allows: nothing inheritable survives from systemd-nspawn
        assertEquals(Long.toHexString(expected), Long.toHexString(hex(upper(pod, 0).resolve("eff"))));
        assertEquals(0, hex(upper(pod, 0).resolve("inh")));
    }

    @Test
    void run_insecureCapabilities_appKeepsEveryCapabilityOfTheHost() throws Exception {
        PodRun pod = insecure(with(app(STATUS_FIELD + "field CapBnd > /bnd"),
                new AppIsolators(null, List.of("CAP_KILL"), null, false, List.of())), PodRun.INSECURE_CAPABILITIES);

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(0, exit.exitCode());
        assertEquals(Long.toHexString(hostBoundingSet()), Long.toHexString(hex(upper(pod, 0).resolve("bnd"))),
                "no bounding set, the retain set ignored, as rkt's --insecure-options=capabilities");
    }

    @Test
    void launch_isolatorItCannotEnforce_isRefusedNamingIt() throws Exception {
        PodRun pod = with(app("true"), new AppIsolators(null, null, null, false, List.of("os/linux/selinux-context")));

        Stage1Exception e = assertThrows(Stage1Exception.class, () -> stage1.launch(pod));

        assertTrue(e.getMessage().contains("os/linux/selinux-context"), e.getMessage());
    }

    // ---------------------------------------------------------------- system call filters

    @Test
    void run_seccompRemoveSet_killsTheAppMakingTheCallWithSigsys() throws Exception {
        PodRun pod = with(app("umount /tmp; echo $? > /rc"), caps(new SyscallFilter(false, List.of("umount2"), null)));

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(0, exit.exitCode());
        assertEquals("159", read(pod, "rc"), "128 + SIGSYS");
    }

    @Test
    void run_seccompRemoveSetWithErrno_failsTheCallWithIt() throws Exception {
        PodRun pod = with(app("umount /tmp 2> /err; echo $? > /rc"),
                caps(new SyscallFilter(false, List.of("sethostname", "umount2"), "ENOTSUP")));

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(0, exit.exitCode());
        assertEquals("32", read(pod, "rc"), "umount's own failure code");
        assertTrue(read(pod, "err").contains("Operation not supported"), read(pod, "err"));
    }

    @Test
    void run_seccompRetainSet_allowsOnlyItsCalls() throws Exception {
        // rkt's default whitelist has no umount2; the shell, cat and umount itself run on it
        PodRun pod = with(app("cat /proc/self/status > /status; umount /tmp; echo $? > /rc"),
                caps(new SyscallFilter(true, List.of("@rkt/default-whitelist"), null)));

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(0, exit.exitCode());
        assertEquals("159", read(pod, "rc"));
        assertTrue(read(pod, "status").contains("Seccomp:\t2"), read(pod, "status"));
    }

    @Test
    void run_retainSetOfAllCalls_isNoFilter() throws Exception {
        PodRun pod = with(app("umount /tmp; echo $? > /rc"), caps(new SyscallFilter(true, List.of("@appc.io/all"), null)));

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(0, exit.exitCode());
        assertEquals("0", read(pod, "rc"));
    }

    @Test
    void run_noSeccompIsolator_defaultFilterRefusesTheBlacklistWithEperm() throws Exception {
        PodRun pod = with(app("umount /tmp 2> /err; echo $? > /rc"), CAN_UNMOUNT);

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(0, exit.exitCode());
        assertEquals("32", read(pod, "rc"));
        assertTrue(read(pod, "err").contains("must be superuser"), "umount's words for EPERM: " + read(pod, "err"));
    }

    @Test
    void run_insecureSeccomp_runsWithoutAnyFilter() throws Exception {
        PodRun pod = insecure(with(app(STATUS_FIELD + "field Seccomp > /seccomp; umount /tmp; echo $? > /rc"),
                caps(new SyscallFilter(false, List.of("umount2"), null))), PodRun.INSECURE_SECCOMP);

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(0, exit.exitCode());
        assertEquals("0", read(pod, "seccomp"), "neither the app's filter nor systemd-nspawn's");
        assertEquals("0", read(pod, "rc"));
    }

    @Test
    void launch_unknownCallGroupOrErrno_isRefusedInOneLine() throws Exception {
        for (SyscallFilter filter : List.of(new SyscallFilter(false, List.of("no_such_call"), null),
                new SyscallFilter(false, List.of("@systemd/clock"), null),
                new SyscallFilter(false, List.of("umount2"), "ENOSUCH"))) {
            PodRun pod = with(app("true"), caps(filter));

            Stage1Exception e = assertThrows(Stage1Exception.class, () -> stage1.launch(pod));

            assertTrue(e.getMessage().startsWith("stage1 nspawn: app \"main\": unknown "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- kernel paths

    @Test
    void run_defaultPaths_hideAndProtectKernelTunables() throws Exception {
        assumeTrue(Files.isRegularFile(Path.of("/proc/kallsyms")) && Files.isDirectory(Path.of("/sys/firmware")),
                "this kernel has no /proc/kallsyms or /sys/firmware to hide");
        PodRun pod = app(paths());

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(0, exit.exitCode());
        assertEquals("", read(pod, "kallsyms"));
        assertEquals("/sys/firmware/*", read(pod, "firmware"), "an empty directory");
        assertTrue(mountOptions(pod, "/proc/sys").startsWith("ro"), "nspawn's read-only /proc/sys");
        assertTrue(mountOptions(pod, "/sys").startsWith("ro"), "nspawn's read-only /sys");
    }

    @Test
    void run_insecurePaths_leavesThemAsTheKernelHasThem() throws Exception {
        assumeTrue(Files.isRegularFile(Path.of("/proc/kallsyms")) && Files.isDirectory(Path.of("/sys/firmware")),
                "this kernel has no /proc/kallsyms or /sys/firmware to hide");
        PodRun pod = insecure(app(paths()), PodRun.INSECURE_PATHS);

        PodExit exit = fixture.waitFor(fixture.run(stage1, pod));

        assertEquals(0, exit.exitCode());
        assertFalse(read(pod, "kallsyms").isEmpty());
        assertFalse(read(pod, "firmware").equals("/sys/firmware/*"));
        assertTrue(mountOptions(pod, "/sys").startsWith("rw"), "nspawn's API file systems writable");
        assertFalse(Files.readString(upper(pod, 0).resolve("mountinfo"), UTF_8).contains(" /proc/sys ro"),
                "no read-only /proc/sys");
    }

    // ---------------------------------------------------------------- helpers

    /** A pod of one app, "main", running {@code script} with sh in the tools tree. */
    private PodRun app(String script) throws IOException {
        return withTree(fixture.pod(fixture.app("main", "/bin/sh", "-c", script)), tree);
    }

    /** The app's view of the kernel paths rkt protects: /proc/kallsyms, /sys/firmware, the mount table. */
    private static String paths() {
        return "head -c 64 /proc/kallsyms > /kallsyms; for f in /sys/firmware/*; do echo $f; done > /firmware; "
                + "cat /proc/self/mountinfo > /mountinfo";
    }

    private static AppIsolators caps(SyscallFilter filter) {
        List<String> retain = new ArrayList<>(Capabilities.APPC_DEFAULT);
        retain.add("CAP_SYS_ADMIN");
        return new AppIsolators(null, retain, null, false, List.of(), null, null, filter);
    }

    private static String read(PodRun pod, String file) throws IOException {
        return Files.readString(upper(pod, 0).resolve(file), UTF_8).strip();
    }

    private static long hex(Path file) throws IOException {
        return Long.parseUnsignedLong(Files.readString(file, UTF_8).strip(), 16);
    }

    private static long hostBoundingSet() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status"), UTF_8).stream().filter(l -> l.startsWith("CapBnd:"))
                .map(l -> Long.parseUnsignedLong(l.substring("CapBnd:".length()).strip(), 16)).findFirst().orElseThrow();
    }

    /** The mount options of {@code point} in the app's mount table (mountinfo's sixth field). */
    private static String mountOptions(PodRun pod, String point) throws IOException {
        return Files.readAllLines(upper(pod, 0).resolve("mountinfo"), UTF_8).stream().map(l -> l.split(" "))
                .filter(f -> f[4].equals(point)).map(f -> f[5]).findFirst().orElseThrow(() -> new AssertionError(point + " is not mounted"));
    }

    private static boolean supported(Cgroups.Controller controller) {
        try {
            Cgroups.requireSupport(controller);
            return true;
        } catch (Stage1Exception e) {
            return false;
        }
    }
}
