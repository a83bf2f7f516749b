package dev.rktj.cli;

import dev.rktj.journal.agent.AgentClient;
import dev.rktj.journal.agent.AgentUnavailableException;
import dev.rktj.journal.agent.ExecResult;
import dev.rktj.kernel.pod.PodLock;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code rkt run} through the journal agent: the agent prepares the pod and says how to start it
 * (a {@code Stage1Launch}); this JVM starts that command with its own stdio and waits. The agent
 * is warm, so neither PF4J, Jackson nor the image store is loaded here (DESIGN.md, process model).
 *
 * <p>The pod is never unlocked between the two processes: the agent holds byte 0 of the pod lock
 * until this process holds byte 1 and has sent {@link #STARTED}; this process lets go only after
 * the agent has recorded the exit ({@link #EXITED}).
 */
final class ThinRun {

    /** Request words: a NUL first character, which no shell can pass, keeps them out of users' reach. */
    static final String LAUNCH = "\0launch";
    static final String STARTED = "\0started";
    static final String FAILED = "\0failed";
    static final String EXITED = "\0exited";

    /** The agent's answer to {@link #LAUNCH} when the stage1 cannot be started from here. */
    static final String NOT_LAUNCHABLE = "F";
    static final String LAUNCHED = "L";

    private static final Duration AGENT_START_WAIT = Duration.ofSeconds(5);

    private final Path dataDir;
    private final PrintStream err;
    private AgentClient agent;

    private ThinRun(Path dataDir, AgentClient agent, PrintStream err) {
        this.dataDir = dataDir;
        this.agent = agent;
        this.err = err;
    }

    /** The exit code of {@code rkt run}, or null when the command must run in-process instead. */
    static Integer run(Path cwd, Path dataDir, String[] args) {
        AgentClient agent = AgentClient.connectThin(dataDir);
        if (agent == null) {
            return null;
        }
        ThinRun run = new ThinRun(dataDir, agent, System.err);
        try {
            return run.launchAndWait(cwd, args);
        } finally {
            run.agent.close();
        }
    }

    private Integer launchAndWait(Path cwd, String[] args) {
        List<String> request = new ArrayList<>(args.length + 5);
        request.add(LAUNCH);
        request.addAll(ThinCommand.facts());
        request.add("--cwd=" + cwd);
        request.addAll(Arrays.asList(args));
        ExecResult answer;
        try {
            answer = agent.exec(request);
        } catch (AgentUnavailableException e) {
            return null; // not processed: running in-process does it once
        } catch (IOException e) {
            err.println("run: lost the journal agent while it prepared the pod: " + e.getMessage());
            return Rkt.EXIT_ERROR;
        }
        err.write(answer.stderr(), 0, answer.stderr().length);
        err.flush();
        String payload = new String(answer.stdout(), StandardCharsets.UTF_8);
        if (answer.exitCode() != 0 || !payload.startsWith(LAUNCHED + "\0")) {
            if (answer.exitCode() == 0 && payload.equals(NOT_LAUNCHABLE)) {
                return null;
            }
            System.out.print(payload);
            System.out.flush();
            return answer.exitCode() == 0 ? Rkt.EXIT_ERROR : answer.exitCode();
        }
        // L, uuid, pod dir, stdin (1 = inherit), then the command
        String[] f = payload.split("\0", -1);
        String uuid = f[1];
        Path podDir = Path.of(f[2]);
        boolean inheritStdin = f[3].equals("1");
        List<String> command = List.of(f).subList(4, f.length);

        PodLock watch;
        try {
            watch = PodLock.watch(podDir);
        } catch (IOException e) {
            String reason = "cannot lock pod " + uuid + ": " + e.getMessage();
            send(FAILED, uuid, "stage1 failed to start: " + reason);
            err.println("run: " + reason);
            return Rkt.EXIT_ERROR;
        }
        try (watch) {
            Process pod;
            try {
                pod = new ProcessBuilder(command)
                        .directory(podDir.toFile())
                        .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .redirectInput(inheritStdin ? ProcessBuilder.Redirect.INHERIT
                                : ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
            } catch (IOException e) {
                String reason = "stage1 failed to start: " + e.getMessage();
                send(FAILED, uuid, reason);
                err.println("run: " + reason);
                return Rkt.EXIT_ERROR;
            }
            send(STARTED, uuid, Long.toString(pod.pid()));
            int code = waitFor(pod);
            ExecResult done = send(EXITED, uuid, Integer.toString(code));
            if (done == null || done.exitCode() != 0) {
                String why = done == null ? "the journal agent is unreachable"
                        : new String(done.stderr(), StandardCharsets.UTF_8).strip();
                err.println("run: " + why + ": pod " + uuid + "'s exit will be recorded by the next rkt command");
                return code;
            }
            // the pod's exit code, from the apps' status files
            return Integer.parseInt(new String(done.stdout(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // closing the watch lock: the pod is over and recorded either way
            return Rkt.EXIT_ERROR;
        }
    }

    private static int waitFor(Process pod) {
        while (true) {
            try {
                return pod.waitFor();
            } catch (InterruptedException e) {
                // nothing here interrupts; keep waiting for the pod
            }
        }
    }

    /** Sends a request, reconnecting (starting a new agent) once; null if no agent takes it. */
    private ExecResult send(String... request) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                if (agent == null || !agent.isConnected()) {
                    reconnect();
                    if (agent == null) {
                        return null;
                    }
                }
                return agent.exec(List.of(request));
            } catch (IOException e) {
                // the agent went away (idle exit or restart): the next one takes the request
                agent.close();
                agent = null;
            }
        }
        return null;
    }

    private void reconnect() {
        String launcher = System.getProperty("rktj.launcher");
        List<String> start = launcher == null ? null : List.of(launcher, "--dir=" + dataDir, "journal-agent");
        agent = AgentClient.connectOrStart(dataDir, start, AGENT_START_WAIT);
    }
}
