package dev.rktj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code bin/rkt} against one data directory, as a user would. */
final class RktCli {

    static final Path ROOT = Path.of(System.getProperty("rktj.root", "..")).toAbsolutePath().normalize();
    static final Path BIN = ROOT.resolve("bin/rkt");

    /** What a command printed and returned. */
    record Result(int code, String out, String err) {
        Result ok() {
            assertEquals(0, code, () -> "expected success; stderr:\n" + err + "\nstdout:\n" + out);
            return this;
        }
    }

    final Path dataDir;
    final Path cwd;
    /** Extra environment for every command ({@code RKTJ_JAVA_OPTS} for the https tests). */
    final java.util.Map<String, String> env = new java.util.HashMap<>();

    RktCli(Path base) throws IOException {
        this.dataDir = Files.createDirectories(base.resolve("data"));
        this.cwd = base;
    }

    List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(BIN.toString());
        cmd.add("--dir=" + dataDir);
        cmd.add("--local-config=" + cwd.resolve("etc"));
        cmd.add("--system-config=" + cwd.resolve("lib"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    Result run(String... args) {
        return exec(command(args), null, env);
    }

    /** Runs a command in its own JVM, never through the journal agent ({@code RKTJ_THIN=off}). */
    Result runInProcess(String... args) {
        return exec(command(args), null, with("RKTJ_THIN", "off"));
    }

    /**
     * Runs a command through the journal agent, started first if none answers; fails (254, one
     * line) if the agent does not run it ({@code RKTJ_THIN=required}).
     */
    Result runThin(String... args) throws InterruptedException {
        if (agents().isEmpty() || !Files.exists(dataDir.resolve("journal/agent.sock"))) {
            startAgent();
        }
        Result r = exec(command(args), null, with("RKTJ_THIN", "required"));
        assertFalse(r.err().contains("RKTJ_THIN=required"), () -> "the agent did not run it: " + r.err());
        return r;
    }

    /**
     * Runs a command in its own JVM, then through the journal agent, and checks that both exited
     * with the same code and printed the same bytes; returns the agent's. For commands whose first
     * run leaves nothing that changes the second (a refusal, or a fetch of what is stored).
     */
    Result runBothWays(String... args) throws InterruptedException {
        Result inProcess = runInProcess(args);
        Result thin = runThin(args);
        assertEquals(inProcess, thin, () -> "in-process and through the agent differ: " + List.of(args));
        return thin;
    }

    private java.util.Map<String, String> with(String name, String value) {
        java.util.Map<String, String> e = new java.util.HashMap<>(env);
        e.put(name, value);
        return e;
    }

    static Result exec(List<String> cmd) {
        return exec(cmd, null);
    }

    static Result exec(List<String> cmd, String input) {
        return exec(cmd, input, java.util.Map.of());
    }

    /** Runs {@code cmd} with {@code input} on its standard input (null: /dev/null) and {@code env} added. */
    static Result exec(List<String> cmd, String input, java.util.Map<String, String> env) {
        return exec(cmd, input, env, null);
    }

    /** As {@link #exec(List, String, java.util.Map)}, in the working directory {@code dir} (null: the test's). */
    static Result exec(List<String> cmd, String input, java.util.Map<String, String> env, Path dir) {
        try {
            Path out = Files.createTempFile("rkt-out", ".txt");
            Path err = Files.createTempFile("rkt-err", ".txt");
            Path in = input == null ? Path.of("/dev/null") : Files.writeString(Files.createTempFile("rkt-in", ".txt"), input);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(in.toFile());
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("timed out: " + cmd);
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            if (input != null) {
                Files.delete(in);
            }
            return r;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Process start(Path stdout, String... args) throws IOException {
        return new ProcessBuilder(command(args)).redirectOutput(stdout.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    /** Removes every pod (gc) and checks nothing is left mounted under the data dir before the temp dir goes. */
    void cleanUp() throws IOException, InterruptedException {
        run("gc", "--grace-period=0", "--expire-prepared=0");
        List<String> mounted = dev.rktj.kernel.fs.MountTable.mountsUnder(dataDir);
        if (!mounted.isEmpty()) {
            fail("still mounted after gc: " + mounted);
        }
    }

    /**
     * Deletes the test's directory (never across a mount) and waits for the journal agent it
     * started to notice and exit: tests never leave one running.
     */
    void destroy() throws IOException, InterruptedException {
        cleanUp();
        try {
            dev.rktj.kernel.fs.SafeDelete.tree(cwd);
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            // an agent still starting brought part of the journal directory back: deleted again below
        }
        // an agent notices within half a second once serving; one still starting (its JVM and the
        // queue's first open) can take seconds on a loaded 2-core machine
        long deadline = System.currentTimeMillis() + 30_000;
        long nextDelete = System.currentTimeMillis() + 2_000;
        List<Long> agents = agents();
        while (!agents.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            agents = agents();
            if (!agents.isEmpty() && System.currentTimeMillis() > nextDelete && Files.exists(cwd)) {
                // an agent that started while the first delete ran made itself a journal in what was
                // left, and serves it: deleting that too is what it waits for (as a user's second rm)
                nextDelete = System.currentTimeMillis() + 2_000;
                try {
                    dev.rktj.kernel.fs.SafeDelete.tree(cwd);
                } catch (java.nio.file.DirectoryNotEmptyException e) {
                    // again next round
                }
            }
        }
        if (!agents.isEmpty()) {
            // what a stuck agent was doing, for whoever reads the failure (jcmd comes with the JDK)
            for (long pid : agents) {
                try {
                    Process dump = new ProcessBuilder("jcmd", Long.toString(pid), "Thread.print")
                            .redirectErrorStream(true).start();
                    String threads = new String(dump.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    System.err.println("journal agent " + pid + " still running after its data dir was deleted:\n" + threads);
                } catch (IOException e) {
                    System.err.println("journal agent " + pid + ": no thread dump: " + e.getMessage());
                }
            }
            agents.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            fail("journal agent(s) " + agents + " still running 30 s after their data dir was deleted");
        }
        // an agent the last command started may have been opening its queue as the directory went,
        // and the queue library recreates the path; the agent has left by now, its directory goes too
        dev.rktj.kernel.fs.SafeDelete.tree(cwd);
    }

    /** Starts the journal agent with a first command and waits until it answers; returns its pid. */
    long startAgent() throws InterruptedException {
        run("list").ok();
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            List<Long> up = agents();
            if (up.size() == 1 && Files.exists(dataDir.resolve("journal/agent.sock"))) {
                return up.get(0);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no journal agent answered for " + dataDir);
    }

    /** Stops the journal agents this test started, so the next {@code rkt run} runs in its own JVM. */
    void stopAgents() throws InterruptedException {
        for (long pid : agents()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        }
        long deadline = System.currentTimeMillis() + 30_000;
        while (!agents().isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        if (!agents().isEmpty()) {
            throw new AssertionError("journal agent(s) " + agents() + " did not stop");
        }
    }

    /** The pid of the process that recorded the pod's {@code PodPrepared}: the agent's on the thin path. */
    long preparedBy(String uuid) throws IOException {
        for (com.fasterxml.jackson.databind.JsonNode e : new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(run("history", "--format=json", uuid).ok().out())) {
            if (e.get("type").asText().equals("PodPrepared")) {
                return e.get("writer").get("pid").asLong();
            }
        }
        throw new AssertionError("pod " + uuid + " has no PodPrepared");
    }

    /** No pod directory in any state below {@code pods/} (a refused command left nothing). */
    void assertNoPodDirectories() throws IOException {
        Path pods = dataDir.resolve("pods");
        if (Files.exists(pods)) {
            try (java.util.stream.Stream<Path> dirs = Files.walk(pods, 2)) {
                assertEquals(0, dirs.filter(p -> p.getNameCount() - dataDir.getNameCount() == 3).count(), "no pod directory left");
            }
        }
    }

    /** Journal agents serving this data dir. */
    List<Long> agents() {
        List<Long> found = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(ph -> {
            try {
                String cmdline = Files.readString(Path.of("/proc/" + ph.pid() + "/cmdline")).replace('\0', ' ');
                if (cmdline.contains("journal-agent") && cmdline.contains("--dir=" + dataDir + " ")) {
                    found.add(ph.pid());
                }
            } catch (IOException e) {
                // the process ended while we looked
            }
        });
        return found;
    }

    /** The host's mount table without ids, to compare before and after pod tests. */
    static List<String> hostMounts() throws IOException {
        return dev.rktj.kernel.fs.MountTable.mounts();
    }
}
