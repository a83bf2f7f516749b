package dev.rktj.journal.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.journal.Journal;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The agent's named-pipe door: what a thin command's {@link AgentClient#connectThin} goes through. */
class FifoDoorTest {

    Path dataDir;
    final List<TestAgent> agents = new ArrayList<>();
    final List<AgentClient> clients = new ArrayList<>();

    @BeforeEach
    void createDataDir() throws IOException {
        dataDir = Files.createTempDirectory(Path.of("/tmp"), "rjf");
    }

    @AfterEach
    void stopAgentsAndDelete() throws Exception {
        for (AgentClient client : clients) {
            client.close();
        }
        for (TestAgent agent : agents) {
            agent.close();
        }
        AgentServerTest.deleteTree(dataDir);
        AgentServerTest.assertNoAgentThreadsLeft();
    }

    TestAgent start(Function<Journal, AgentHandler> handlers) throws InterruptedException {
        TestAgent agent = TestAgent.start(dataDir, handlers, AgentServerTest.LONG_IDLE);
        agents.add(agent);
        return agent;
    }

    AgentClient thin() {
        AgentClient client = AgentClient.connectThin(dataDir);
        if (client != null) {
            clients.add(client);
        }
        return client;
    }

    Path pipes() {
        return dataDir.resolve("journal").resolve("agent.d");
    }

    List<String> names(String suffix) {
        String[] all = pipes().toFile().list();
        return all == null ? List.of() : Arrays.stream(all).filter(n -> n.endsWith(suffix)).sorted().toList();
    }

    /** Waits for the agent to top its ready pairs up again. */
    void awaitReady(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (names(".ready").size() != count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(count, names(".ready").size(), "ready pairs: " + names(""));
    }

    @Test
    void connectThin_agentUp_talksThroughAPairOfPipesThatIsThenReplaced() throws Exception {
        start(AgentServerTest.ECHO);
        awaitReady(3);
        List<String> before = names(".ready");

        AgentClient client = thin();
        ExecResult r = client.exec(List.of("3", "a"));

        assertEquals(3, r.exitCode());
        assertEquals("out:3,a", new String(r.stdout(), StandardCharsets.UTF_8));
        // the claimed pair's pipes and marker are gone once it spoke, and a new pair replaces it
        awaitReady(3);
        List<String> after = names(".ready");
        assertEquals(2, after.stream().filter(before::contains).count());
        assertEquals(3, names(".req").size());
        assertEquals(List.of(), names(".taken"));
    }

    @Test
    void connectThin_pipesAreTheOwnersOnly() throws Exception {
        start(null);
        awaitReady(3);

        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pipes())));
        for (String req : names(".req")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pipes().resolve(req))));
        }
    }

    @Test
    void connectThin_moreClientsAtOnceThanPairs_theRestUseTheSocket() throws Exception {
        start(AgentServerTest.ECHO);
        awaitReady(3);

        List<AgentClient> open = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            AgentClient client = thin();
            assertNotNull(client, "client " + i);
            open.add(client);
        }
        for (int i = 0; i < open.size(); i++) {
            assertEquals(i, open.get(i).exec(List.of(Integer.toString(i))).exitCode());
        }
    }

    @Test
    void connectionClosed_pipeClientCloses_handlerHearsIt() throws Exception {
        AtomicInteger closed = new AtomicInteger();
        start(journal -> new AgentHandler() {
            @Override
            public ExecResult exec(List<String> args) {
                return new ExecResult(0, new byte[0], new byte[0]);
            }

            @Override
            public void connectionClosed() {
                closed.incrementAndGet();
            }
        });
        awaitReady(3);
        int before = closed.get();

        AgentClient client = AgentClient.connectThin(dataDir);
        client.exec(List.of("x"));
        client.close();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (closed.get() == before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(before + 1, closed.get());
    }

    @Test
    void stream_pipeClientGoesAwayMidCommand_theCommandIsTold() throws Exception {
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CompletableFuture<Boolean> told = new java.util.concurrent.CompletableFuture<>();
        start(AgentServerTest.streaming((args, client) -> {
            AgentServerTest.print(client.out(), "started\n");
            running.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!client.gone() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    break;
                }
            }
            told.complete(client.gone());
            return 0;
        }));
        awaitReady(3);
        List<String> before = names(".ready");
        AgentClient client = thin();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            pool.submit(() -> client.stream(List.of("slow"), out, java.io.OutputStream.nullOutputStream()));
            assertTrue(running.await(10, TimeUnit.SECONDS));
            assertFalse(names(".ready").containsAll(before), "a pair of pipes carried it");

            client.close();

            assertTrue(told.get(10, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shutdown_pipeClientIdle_isToldAndTheAgentDoesNotWaitForIt() throws Exception {
        TestAgent agent = start(AgentServerTest.ECHO);
        awaitReady(3);
        AgentClient idle = thin();
        assertTrue(idle.isConnected());

        long asked = System.nanoTime();
        try (AgentClient other = AgentClient.connect(dataDir)) {
            other.shutdown();
        }

        assertEquals(0, agent.awaitExit(Duration.ofSeconds(5)));
        assertTrue(System.nanoTime() - asked < TimeUnit.SECONDS.toNanos(5));
        assertFalse(idle.isConnected());
        assertFalse(Files.exists(pipes()));
        assertThrows(IOException.class, () -> idle.exec(List.of("1")));
    }

    @Test
    void claim_clientDiesBeforeOpening_pairIsFreedAndReplaced() throws Exception {
        start(null);
        awaitReady(3);
        String pair = names(".ready").get(0).replace(".ready", "");

        // what a client killed between its claim and its open leaves
        assertTrue(new File(pipes().toFile(), pair + ".ready").renameTo(new File(pipes().toFile(), pair + ".taken")));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (Files.exists(pipes().resolve(pair + ".taken")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertFalse(Files.exists(pipes().resolve(pair + ".taken")));
        assertFalse(Files.exists(pipes().resolve(pair + ".req")));
        awaitReady(3);
    }

    @Test
    void connectThin_killedAgentsLeftovers_noWaitAndNoAgent() throws Exception {
        Files.createDirectories(pipes());
        // a pid that is not running: pids stop well below this
        String pair = "4194999-0";
        mkfifo(pipes().resolve(pair + ".req"), pipes().resolve(pair + ".rep"));
        Files.createFile(pipes().resolve(pair + ".ready"));

        long t = System.nanoTime();
        assertNull(AgentClient.connectThin(dataDir));
        assertTrue(System.nanoTime() - t < TimeUnit.SECONDS.toNanos(1));
        // not claimed: it is the next agent's to clear
        assertTrue(Files.exists(pipes().resolve(pair + ".ready")));
    }

    @Test
    void connectThin_pairWhoseAgentNeverOpens_guardEndsTheWait() throws Exception {
        Files.createDirectories(pipes());
        // named after a live process (this JVM), with nobody behind the pipes: a hung agent
        String pair = ProcessHandle.current().pid() + "-0";
        mkfifo(pipes().resolve(pair + ".req"), pipes().resolve(pair + ".rep"));
        Files.createFile(pipes().resolve(pair + ".ready"));

        long t = System.nanoTime();
        assertNull(AgentClient.connectThin(dataDir));
        long took = System.nanoTime() - t;

        assertTrue(took < TimeUnit.SECONDS.toNanos(6), "took " + took / 1_000_000 + " ms");
        assertTrue(Files.exists(pipes().resolve(pair + ".taken")));
        assertNoGuardLeft();
    }

    static void assertNoGuardLeft() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive() && t.getName().equals("journal-agent-pipe-guard"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the pipe guard thread is still running");
            }
            Thread.sleep(20);
        }
    }

    static void mkfifo(Path... paths) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("mkfifo", "-m", "600"));
        for (Path p : paths) {
            command.add(p.toString());
        }
        assertEquals(0, new ProcessBuilder(command).inheritIO().start().waitFor());
    }
}
