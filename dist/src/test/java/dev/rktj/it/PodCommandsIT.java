package dev.rktj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** gc, rm, status and run's pod-wide flags, as rkt's own tests use them. */
class PodCommandsIT extends PodTest {

    @Test
    void gc_markOnlyThenSweep_everyStateDirEmptied() throws Exception {
        Path img = TestImages.aci(base, "example.com/zero", List.of("/bin/true"));
        rkt.run("run", "--insecure-options=image", img.toString()).ok();
        String prepared = rkt.run("prepare", "--insecure-options=image", img.toString()).ok().out().trim();
        // a prepare killed mid-way: its directory is in prepare/ and nobody holds its lock
        Path aborted = Files.createDirectories(rkt.dataDir.resolve("pods/prepare").resolve(UUID.randomUUID().toString()));
        Files.createFile(aborted.resolve("lock"));

        RktCli.Result mark = rkt.run("gc", "--mark-only=true", "--expire-prepared=0", "--grace-period=0").ok();
        assertTrue(mark.err().contains("gc: moving pod \""), mark.err());
        assertTrue(mark.err().contains("gc: moving failed prepare \"" + aborted.getFileName() + "\" to garbage"), mark.err());
        assertEquals(0, count("run"));
        assertEquals(1, count("exited-garbage"));
        assertEquals(1, count("garbage"));
        assertEquals(1, count("prepared"));
        assertTrue(rkt.run("list").ok().out().contains("\texited garbage\t"));

        RktCli.Result sweep = rkt.run("gc", "--mark-only=false", "--expire-prepared=0", "--grace-period=0").ok();
        assertTrue(sweep.out().contains("Garbage collecting pod \""), sweep.out());
        for (String dir : List.of("prepare", "prepared", "run", "exited-garbage", "garbage")) {
            assertEquals(0, count(dir), dir);
        }
        assertEquals("", rkt.run("list", "--no-legend").ok().out());
        String history = rkt.run("history", prepared).ok().out();
        assertTrue(history.contains("PodGarbageMarked") && history.contains("from=prepared"), history);
        String abortedHistory = rkt.run("history", aborted.getFileName().toString()).ok().out();
        assertTrue(abortedHistory.contains("StateReconciled") && abortedHistory.contains("PodPrepareAborted"), abortedHistory);
    }

    @Test
    void gc_withinGracePeriod_keepsTheExitedPod() throws Exception {
        Path img = TestImages.aci(base, "example.com/zero", List.of("/bin/true"));
        rkt.run("run", "--insecure-options=image", img.toString()).ok();
        RktCli.Result gc = rkt.run("gc").ok();
        assertTrue(gc.err().contains("not removed: still within grace period (30m0s)"), gc.err());
        assertEquals(1, count("exited-garbage"));
        assertTrue(rkt.run("status", rkt.run("list", "--full", "--no-legend").ok().out().split("\t")[0]).ok().out()
                .startsWith("state=exited garbage\n"));
    }

    @Test
    void rm_exitedPreparedRunningAndUnknown_asRkt() throws Exception {
        Path img = TestImages.aci(base, "example.com/zero", List.of("/bin/true"));
        Path sleeper = TestImages.aci(base, "example.com/sleeper", List.of("/bin/sh", "-c", "sleep 3"));
        Path uuidFile = base.resolve("exited.uuid");
        rkt.run("run", "--insecure-options=image", "--uuid-file-save=" + uuidFile, img.toString()).ok();
        String exited = Files.readString(uuidFile).trim();
        String prepared = rkt.run("prepare", "--insecure-options=image", img.toString()).ok().out().trim();

        RktCli.Result rm = rkt.run("rm", exited.substring(0, 8), "--uuid-file=" + uuidFile, prepared);
        // the same pod twice: the second is gone by then
        assertEquals(254, rm.code());
        assertTrue(rm.out().contains("\"" + exited + "\"\n") && rm.out().contains("\"" + prepared + "\"\n"), rm.out());
        assertTrue(rm.err().endsWith("rm: failed to remove one or more pods\n"), rm.err());
        assertEquals(0, count("run") + count("prepared"));

        Path running = base.resolve("running.uuid");
        Process p = rkt.start(base.resolve("sleeper.log"), "run", "--insecure-options=image", "--uuid-file-save=" + running, sleeper.toString());
        String uuid = awaitRunning(running);
        RktCli.Result busy = rkt.run("rm", uuid);
        assertEquals(254, busy.code());
        assertTrue(busy.err().contains("pod \"" + uuid + "\" is currently running"), busy.err());
        RktCli.Result waited = rkt.run("status", "--wait=30s", uuid).ok();
        assertTrue(waited.out().startsWith("state=exited\n") && waited.out().contains("app-sleeper=0"), waited.out());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());

        RktCli.Result unknown = rkt.run("rm", "--uuid-file=" + uuidFile);
        assertEquals(254, unknown.code());
        assertTrue(unknown.err().contains("no matches found for \"" + exited + "\""), unknown.err());
    }

    @Test
    void run_stage1ByRktNameInteractiveStdin_catEchoesIt() throws Exception {
        Path cat = TestImages.aci(base, "example.com/cat", List.of("/bin/cat"));
        Path input = Files.writeString(base.resolve("input"), "through stdin\n");
        List<String> cmd = rkt.command("run", "--insecure-options=image", "--stage1-name=coreos.com/rkt/stage1-fly",
                "--interactive", cat.toString());
        Process p = new ProcessBuilder(cmd).redirectInput(input.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals("through stdin\n", out);
    }

    @Test
    void run_perAppFlagsAndArgs_reachTheApp() throws Exception {
        Path sh = TestImages.aci(base, "example.com/sh", List.of("/bin/sh"));
        RktCli.Result r = rkt.run("run", "--insecure-options=image", sh.toString(), "--name=shell", "--user=1000", "--group=1000",
                "--working-dir=/tmp", "--", "-c", "id -u; id -g; pwd; echo $AC_APP_NAME", "---").ok();
        assertEquals("1000\n1000\n/tmp\nshell\n", r.out());
    }

    @Test
    void status_debug_addsDetailsAfterTheOneLine() throws Exception {
        RktCli.Result plain = rkt.run("status", "nope");
        assertEquals(List.of("status: no matches found for \"nope\""), plain.err().lines().toList());
        RktCli.Result debug = rkt.run("--debug", "status", "nope");
        assertEquals(254, debug.code());
        assertEquals("status: no matches found for \"nope\"", debug.err().lines().findFirst().orElseThrow());
        assertTrue(debug.err().lines().count() > 1, "--debug adds the stack: " + debug.err());
    }

    private String awaitRunning(Path uuidFile) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(uuidFile) && !Files.readString(uuidFile).isBlank()) {
                String uuid = Files.readString(uuidFile).trim();
                if (rkt.run("status", uuid).out().startsWith("state=running")) {
                    return uuid;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("pod never reached running");
    }

    private long count(String stateDir) throws Exception {
        Path d = rkt.dataDir.resolve("pods").resolve(stateDir);
        if (!Files.isDirectory(d)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }
}
