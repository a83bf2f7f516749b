package dev.rktj.journal.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rktj.journal.CachedView;
import dev.rktj.journal.Envelope;
import dev.rktj.journal.EnvelopeJson;
import dev.rktj.journal.Journal;
import dev.rktj.journal.JournalException;
import dev.rktj.journal.NewEvent;
import dev.rktj.journal.Projection;
import dev.rktj.journal.chronicle.ChronicleJournal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JournalConnectorTest {

    Path dataDir;
    final List<TestAgent> agents = new ArrayList<>();

    @BeforeEach
    void createDataDir() throws IOException {
        dataDir = Files.createTempDirectory(Path.of("/tmp"), "rjc");
    }

    @AfterEach
    void stopAgentsAndDelete() throws Exception {
        for (TestAgent agent : agents) {
            agent.close();
        }
        AgentServerTest.deleteTree(dataDir);
        AgentServerTest.assertNoAgentThreadsLeft();
    }

    TestAgent start(java.util.function.Function<Journal, AgentHandler> handlers, Duration idle) throws InterruptedException {
        TestAgent agent = TestAgent.start(dataDir, handlers, idle);
        agents.add(agent);
        return agent;
    }

    static List<NewEvent> events(String... types) {
        List<NewEvent> out = new ArrayList<>();
        for (String type : types) {
            ObjectNode data = EnvelopeJson.mapper().createObjectNode();
            data.put("t", type);
            out.add(NewEvent.now(type, 1, data));
        }
        return out;
    }

    static List<Envelope> readAll(Journal journal) throws JournalException {
        List<Envelope> out = new ArrayList<>();
        journal.read(0, out::add);
        return out;
    }

    @Test
    void open_noAgentAndNoStartCommand_opensTheQueueDirectly() throws Exception {
        try (Journal journal = JournalConnector.open(dataDir, null, Duration.ofSeconds(1))) {
            assertInstanceOf(ChronicleJournal.class, journal);
            List<Long> seqs = journal.append(events("A"));

            assertEquals(seqs, readAll(journal).stream().map(Envelope::seq).toList());
        }
        assertTrue(Files.isDirectory(dataDir.resolve("journal")));
    }

    @Test
    void open_agentRunning_appendsAndReadsThroughIt() throws Exception {
        start(null, AgentServerTest.LONG_IDLE);

        try (Journal journal = JournalConnector.open(dataDir, null, Duration.ofSeconds(1))) {
            AgentJournal viaAgent = assertInstanceOf(AgentJournal.class, journal);
            List<Long> seqs = journal.append(events("A", "B"));

            List<Envelope> read = readAll(journal);
            assertEquals(seqs, read.stream().map(Envelope::seq).toList());
            assertEquals("B", read.get(1).data().get("t").asText());
            assertEquals(seqs.get(1), journal.read(seqs.get(0), e -> {}));
            assertTrue(viaAgent.viaAgent());
        }
    }

    @Test
    void append_afterTheAgentWentIdle_fallsBackToTheQueueAndLosesNothing() throws Exception {
        TestAgent agent = start(null, Duration.ofMillis(400));
        try (Journal journal = JournalConnector.open(dataDir, null, Duration.ofSeconds(1))) {
            AgentJournal viaAgent = assertInstanceOf(AgentJournal.class, journal);
            List<Long> first = journal.append(events("A"));
            assertEquals(0, agent.awaitExit(Duration.ofSeconds(5)));

            List<Long> second = journal.append(events("B"));

            assertFalse(viaAgent.viaAgent());
            assertTrue(second.get(0) > first.get(0));
            assertEquals(List.of("A", "B"), readAll(journal).stream().map(Envelope::type).toList());
        }
    }

    @Test
    void append_afterTheAgentRestarted_reconnectsToTheNewOne() throws Exception {
        TestAgent agent = start(null, AgentServerTest.LONG_IDLE);
        try (Journal journal = JournalConnector.open(dataDir, null, Duration.ofSeconds(1))) {
            journal.append(events("A"));
            agent.close();
            start(null, AgentServerTest.LONG_IDLE);

            journal.append(events("B"));

            assertTrue(((AgentJournal) journal).viaAgent());
            assertEquals(List.of("A", "B"), readAll(journal).stream().map(Envelope::type).toList());
        }
    }

    @Test
    void append_agentStoppingWhileDraining_goesToTheQueueAndLosesNothing() throws Exception {
        java.util.concurrent.CountDownLatch inExec = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        TestAgent agent = start(journal -> args -> {
            inExec.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new ExecResult(0, null, null);
        }, AgentServerTest.LONG_IDLE);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (Journal journal = JournalConnector.open(dataDir, null, Duration.ofSeconds(1));
                AgentClient busy = AgentClient.connect(dataDir)) {
            List<Long> first = journal.append(events("A"));
            pool.submit(() -> busy.exec(List.of("slow")));
            assertTrue(inExec.await(10, TimeUnit.SECONDS));
            try (AgentClient stopper = AgentClient.connect(dataDir)) {
                stopper.shutdown();
            }

            List<Long> second = journal.append(events("B"));

            assertFalse(((AgentJournal) journal).viaAgent());
            assertTrue(second.get(0) > first.get(0));
            release.countDown();
            assertEquals(0, agent.awaitExit(Duration.ofSeconds(5)));
            assertEquals(List.of("A", "B"), readAll(journal).stream().map(Envelope::type).toList());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void cachedView_agentJournal_seesDirectAndAgentAppends() throws Exception {
        start(null, AgentServerTest.LONG_IDLE);
        Projection<Integer> count = new Projection<>() {
            @Override
            public Integer initial() {
                return 0;
            }

            @Override
            public Integer evolve(Integer view, Envelope event) {
                return view + 1;
            }
        };
        CachedView<Integer> view = new CachedView<>(count);
        try (Journal viaAgent = JournalConnector.open(dataDir, null, Duration.ofSeconds(1));
                ChronicleJournal direct = ChronicleJournal.open(dataDir.resolve("journal"))) {
            viaAgent.append(events("A"));
            direct.append(events("B", "C"));

            assertEquals(3, view.refresh(viaAgent));
            viaAgent.append(events("D"));
            assertEquals(4, view.refresh(direct));
        }
    }

    @Test
    void append_agentRejectsEvent_throwsJournalExceptionWithItsMessage() throws Exception {
        start(null, AgentServerTest.LONG_IDLE);
        try (Journal journal = JournalConnector.open(dataDir, null, Duration.ofSeconds(1))) {
            NewEvent noType = new NewEvent("", 1, 0, dev.rktj.journal.Writer.self(), null);

            JournalException error = assertThrows(JournalException.class, () -> journal.append(List.of(noType)));
            assertEquals("event has no type", error.getMessage());
            assertEquals(1, journal.append(events("A")).size());
        }
    }

    @Test
    void read_consumerThrows_propagatesAndTheJournalStaysUsable() throws Exception {
        start(null, AgentServerTest.LONG_IDLE);
        try (Journal journal = JournalConnector.open(dataDir, null, Duration.ofSeconds(1))) {
            journal.append(events("A", "B"));

            assertThrows(IllegalStateException.class, () -> journal.read(0, e -> {
                throw new IllegalStateException("stop");
            }));
            assertEquals(2, readAll(journal).size());
        }
    }

    @Test
    void append_afterClose_throws() throws Exception {
        start(null, AgentServerTest.LONG_IDLE);
        Journal journal = JournalConnector.open(dataDir, null, Duration.ofSeconds(1));
        journal.close();

        assertThrows(JournalException.class, () -> journal.append(events("A")));
    }

    @Test
    void open_notRunningWithStartCommandThatFails_fallsBackAfterTheWait() throws Exception {
        long start = System.nanoTime();
        try (Journal journal = JournalConnector.open(dataDir, List.of("/bin/false"), Duration.ofMillis(300))) {
            assertInstanceOf(ChronicleJournal.class, journal);
        }
        assertTrue(System.nanoTime() - start >= 300_000_000L);
    }

    @Test
    void exec_agentAnswers_printsWhatTheHandlerFormatted() throws Exception {
        start(journal -> args -> new ExecResult(0, ("events=" + countOf(journal)).getBytes(StandardCharsets.UTF_8), null),
                AgentServerTest.LONG_IDLE);
        try (ChronicleJournal direct = ChronicleJournal.open(dataDir.resolve("journal"))) {
            direct.append(events("A", "B"));
        }

        try (AgentClient client = AgentClient.connect(dataDir)) {
            ExecResult result = client.exec(List.of("list"));
            assertEquals("events=2", new String(result.stdout(), StandardCharsets.UTF_8));
            assertEquals(0, result.stderr().length);
        }
    }

    private static int countOf(Journal journal) {
        int[] n = {0};
        try {
            journal.read(0, e -> n[0]++);
        } catch (JournalException e) {
            throw new IllegalStateException(e);
        }
        return n[0];
    }
}
