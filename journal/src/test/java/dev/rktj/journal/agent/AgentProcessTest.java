package dev.rktj.journal.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.journal.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The agent and the thin client as separate processes, as the CLI runs them. */
class AgentProcessTest {

    Path dataDir;
    Path outDir;
    final List<TestAgent> agents = new ArrayList<>();

    @BeforeEach
    void createDirs() throws IOException {
        dataDir = Files.createTempDirectory(Path.of("/tmp"), "rjp");
        outDir = Files.createTempDirectory("rjp-out");
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (TestAgent agent : agents) {
            agent.close();
        }
        // agents started detached are not our children: find them by the pids they recorded
        for (ProcessHandle agent : recordedAgents()) {
            try (AgentClient client = AgentClient.connect(dataDir)) {
                if (client != null) {
                    client.shutdown();
                }
            } catch (IOException e) {
                // it is going anyway
            }
            if (!waitGone(agent, Duration.ofSeconds(10))) {
                agent.destroyForcibly();
                waitGone(agent, Duration.ofSeconds(10));
            }
        }
        AgentServerTest.deleteTree(dataDir);
        AgentServerTest.deleteTree(outDir);
        AgentServerTest.assertNoAgentThreadsLeft();
    }

    List<ProcessHandle> recordedAgents() throws IOException {
        Path pids = dataDir.resolve("pids");
        if (!Files.isDirectory(pids)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(pids)) {
            return files.map(f -> ProcessHandle.of(Long.parseLong(f.getFileName().toString())))
                    .flatMap(Optional::stream)
                    .toList();
        }
    }

    static boolean waitGone(ProcessHandle process, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (process.isAlive()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Field 6 of /proc/pid/stat; the command name (field 2) may hold spaces, so count after ')'. */
    static long sessionOf(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(rest[3]);
    }

    @Test
    void connectOrStart_noAgent_startsItDetachedInItsOwnSession() throws Exception {
        List<String> startCommand = ChildJvm.command(AgentMain.class, dataDir.toString(), "60000");

        try (AgentClient client = AgentClient.connectOrStart(dataDir, startCommand, Duration.ofSeconds(30))) {
            assertNotNull(client, "the agent did not answer");
            ExecResult result = client.exec(List.of("image", "list"));
            assertEquals(2, result.exitCode());
            assertEquals("image list", new String(result.stdout(), StandardCharsets.UTF_8));

            List<ProcessHandle> started = recordedAgents();
            assertEquals(1, started.size());
            long pid = started.get(0).pid();
            assertNotEquals(sessionOf(ProcessHandle.current().pid()), sessionOf(pid));
            assertEquals(pid, sessionOf(pid), "the agent leads its own session");
            assertTrue(ProcessHandle.current().children().noneMatch(c -> c.pid() == pid), "not our child");

            client.shutdown();
            assertTrue(waitGone(started.get(0), Duration.ofSeconds(10)));
        }
    }

    @Test
    void agentProcess_secondInstance_exitsNonZeroAtOncePrintingNothing() throws Exception {
        TestAgent first = TestAgent.start(dataDir, null, AgentServerTest.LONG_IDLE);
        agents.add(first);

        Process second = ChildJvm.start(outDir, "second",
                ChildJvm.command(AgentMain.class, dataDir.toString(), "60000"));

        assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        assertEquals(AgentServer.EXIT_ALREADY_RUNNING, second.exitValue());
        assertEquals("", Files.readString(outDir.resolve("second.out")));
        assertEquals("", Files.readString(outDir.resolve("second.err")));
        try (AgentClient client = AgentClient.connect(dataDir)) {
            assertTrue(client.ping());
        }
    }

    @Test
    void thinClient_exec_loadsNeitherJacksonNorChronicle() throws Exception {
        agents.add(TestAgent.start(dataDir, journal -> args -> new ExecResult(7,
                ("listed " + String.join(" ", args) + "\n").getBytes(StandardCharsets.UTF_8),
                "warn\n".getBytes(StandardCharsets.UTF_8)), AgentServerTest.LONG_IDLE));
        Path classLog = outDir.resolve("classes.log");
        List<String> command = new ArrayList<>(ChildJvm.command(ExecMain.class, dataDir.toString(), "list", "--no-legend"));
        command.add(1, "-Xlog:class+load=info:file=" + classLog);

        Process client = ChildJvm.start(outDir, "client", command);

        assertTrue(client.waitFor(30, TimeUnit.SECONDS));
        assertEquals(7, client.exitValue(), () -> read(outDir.resolve("client.err")));
        assertEquals("listed list --no-legend\n", Files.readString(outDir.resolve("client.out")));
        assertEquals("warn\n", Files.readString(outDir.resolve("client.err")));
        List<String> loaded = Files.readAllLines(classLog);
        assertTrue(loaded.stream().anyMatch(l -> l.contains(" dev.rktj.journal.agent.AgentClient ")), "class log is empty");
        List<String> heavy = loaded.stream()
                .filter(l -> l.contains("com.fasterxml.") || l.contains("net.openhft.")
                        || l.contains("org.slf4j.") || l.contains("dev.rktj.journal.chronicle.")
                        || l.contains("dev.rktj.journal.EnvelopeJson"))
                .toList();
        assertEquals(List.of(), heavy);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
