package dev.rktj.journal.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rktj.journal.Envelope;
import dev.rktj.journal.EnvelopeJson;
import dev.rktj.journal.Journal;
import dev.rktj.journal.NewEvent;
import dev.rktj.journal.Writer;
import dev.rktj.journal.chronicle.ChronicleJournal;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AgentServerTest {

    /** Unix socket paths are limited to 107 bytes: a short directory under /tmp, not @TempDir. */
    Path dataDir;
    final List<TestAgent> agents = new ArrayList<>();

    static final Duration LONG_IDLE = Duration.ofMinutes(5);

    static final Function<Journal, AgentHandler> ECHO = journal -> args -> new ExecResult(
            args.isEmpty() ? 0 : Integer.parseInt(args.get(0)),
            ("out:" + String.join(",", args)).getBytes(StandardCharsets.UTF_8),
            "err:\u00e9".getBytes(StandardCharsets.UTF_8));

    @BeforeEach
    void createDataDir() throws IOException {
        dataDir = Files.createTempDirectory(Path.of("/tmp"), "rja");
    }

    @AfterEach
    void stopAgentsAndDelete() throws Exception {
        for (TestAgent agent : agents) {
            agent.close();
        }
        deleteTree(dataDir);
        assertNoAgentThreadsLeft();
    }

    static void assertNoAgentThreadsLeft() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            List<String> left = Thread.getAllStackTraces().keySet().stream()
                    .filter(Thread::isAlive)
                    .map(Thread::getName)
                    .filter(n -> n.startsWith("journal-agent") || n.equals("test-agent"))
                    .toList();
            if (left.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("threads left: " + left);
            }
            Thread.sleep(20);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    TestAgent start(Function<Journal, AgentHandler> handlers, Duration idle) throws InterruptedException {
        TestAgent agent = TestAgent.start(dataDir, handlers, idle);
        agents.add(agent);
        return agent;
    }

    static String eventJson(String type, int i) {
        ObjectNode data = EnvelopeJson.mapper().createObjectNode();
        data.put("i", i);
        return EnvelopeJson.toJson(new NewEvent(type, 1, 1_700_000_000_000L, new Writer(7, "h"), data));
    }

    Path socket() {
        return dataDir.resolve("journal").resolve("agent.sock");
    }

    @Test
    void ping_runningAgent_answersTrue() throws Exception {
        start(null, LONG_IDLE);

        try (AgentClient client = AgentClient.connect(dataDir)) {
            assertNotNull(client);
            assertTrue(client.ping());
            assertTrue(client.isConnected());
        }
    }

    @Test
    void run_bound_socketIsOwnerOnly() throws Exception {
        start(null, LONG_IDLE);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())));
        assertFalse(Files.exists(dataDir.resolve("journal").resolve("agent.new")));
    }

    @Test
    void exec_handler_returnsItsExitCodeStdoutAndStderr() throws Exception {
        start(ECHO, LONG_IDLE);

        try (AgentClient client = AgentClient.connect(dataDir)) {
            ExecResult result = client.exec(List.of("3", "list", "--format=json"));

            assertEquals(3, result.exitCode());
            assertEquals("out:3,list,--format=json", new String(result.stdout(), StandardCharsets.UTF_8));
            assertEquals("err:\u00e9", new String(result.stderr(), StandardCharsets.UTF_8));
            ExecResult again = client.exec(List.of());
            assertEquals(0, again.exitCode());
        }
    }

    @Test
    void exec_handlerThrows_answersOneLineErrorAndKeepsTheConnection() throws Exception {
        start(journal -> args -> {
            throw new IllegalStateException("boom\nat some.Frame");
        }, LONG_IDLE);

        try (AgentClient client = AgentClient.connect(dataDir)) {
            AgentException error = assertThrows(AgentException.class, () -> client.exec(List.of("x")));

            assertEquals("command failed in the journal agent: boom", error.getMessage());
            assertTrue(client.ping());
        }
    }

    /** A handler whose STREAM requests run {@code body}; EXEC is not used. */
    static Function<Journal, AgentHandler> streaming(java.util.function.BiFunction<List<String>, AgentHandler.Client, Integer> body) {
        return journal -> new AgentHandler() {
            @Override
            public ExecResult exec(List<String> args) {
                throw new UnsupportedOperationException("exec");
            }

            @Override
            public Integer stream(List<String> args, AgentHandler.Client client) {
                return body.apply(args, client);
            }
        };
    }

    static void print(java.io.OutputStream to, String text) {
        try {
            to.write(text.getBytes(StandardCharsets.UTF_8));
            to.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void stream_handlerOutput_reachesTheClientWhileTheCommandRuns() throws Exception {
        java.util.concurrent.CountDownLatch seen = new java.util.concurrent.CountDownLatch(1);
        start(streaming((args, client) -> {
            print(client.out(), "first " + args.get(0) + "\n");
            try {
                // the client has the first line before the command ends
                if (!seen.await(10, TimeUnit.SECONDS)) {
                    return 99;
                }
            } catch (InterruptedException e) {
                return 98;
            }
            print(client.err(), "warning\u00e9\n");
            print(client.out(), "second\n");
            return 7;
        }), LONG_IDLE);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream() {
            @Override
            public synchronized void flush() {
                if (toString(StandardCharsets.UTF_8).startsWith("first x\n")) {
                    seen.countDown();
                }
            }
        };
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();

        try (AgentClient client = AgentClient.connect(dataDir)) {
            Integer code = client.stream(List.of("x"), out, err);

            assertEquals(7, code);
            assertEquals("first x\nsecond\n", out.toString(StandardCharsets.UTF_8));
            assertEquals("warning\u00e9\n", err.toString(StandardCharsets.UTF_8));
            assertFalse(client.isConnected(), "a STREAM connection is used once");
        }
    }

    @Test
    void stream_declined_returnsNullAndNothingWritten() throws Exception {
        start(journal -> args -> new ExecResult(0, null, null), LONG_IDLE);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

        try (AgentClient client = AgentClient.connect(dataDir)) {
            assertNull(client.stream(List.of("fetch"), out, out));
        }
        assertEquals(0, out.size());
    }

    @Test
    void stream_clientGoesAwayMidCommand_theCommandIsTold() throws Exception {
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CompletableFuture<Boolean> told = new java.util.concurrent.CompletableFuture<>();
        start(streaming((args, client) -> {
            running.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            // writes nothing meanwhile: the agent learns it from the silent connection alone
            while (!client.gone() && System.nanoTime() < deadline) {
                pause(10);
            }
            print(client.err(), "dropped: nobody reads it\n");
            told.complete(client.gone());
            return 0;
        }), LONG_IDLE);
        AgentClient client = AgentClient.connect(dataDir);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> streaming = pool.submit(() -> client.stream(List.of("slow"), java.io.OutputStream.nullOutputStream(),
                    java.io.OutputStream.nullOutputStream()));
            assertTrue(running.await(10, TimeUnit.SECONDS));

            client.close();

            assertTrue(told.get(10, TimeUnit.SECONDS));
            assertThrows(java.util.concurrent.ExecutionException.class, () -> streaming.get(10, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        try (AgentClient next = AgentClient.connect(dataDir)) {
            assertNotNull(next, "the agent still serves");
        }
    }

    @Test
    void stream_agentStopsMidCommand_commandFinishesAndIsNotToldItsClientLeft() throws Exception {
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        TestAgent agent = start(streaming((args, client) -> {
            running.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return 98;
            }
            return client.gone() ? 1 : 0;
        }), LONG_IDLE);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (AgentClient client = AgentClient.connect(dataDir)) {
            Future<Integer> streaming = pool.submit(() -> client.stream(List.of("slow"), java.io.OutputStream.nullOutputStream(),
                    java.io.OutputStream.nullOutputStream()));
            assertTrue(running.await(10, TimeUnit.SECONDS));
            try (AgentClient stopper = AgentClient.connect(dataDir)) {
                stopper.shutdown();
            }
            Thread.sleep(200); // the agent's shutdownInput reaches the watcher meanwhile

            release.countDown();

            assertEquals(0, streaming.get(10, TimeUnit.SECONDS));
            assertEquals(0, agent.awaitExit(Duration.ofSeconds(5)));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void stream_peerOfTheSameProcess_isTheSameUser() throws Exception {
        start(streaming((args, client) -> client.sameUser() ? 0 : 1), LONG_IDLE);

        try (AgentClient client = AgentClient.connect(dataDir)) {
            assertEquals(0, client.stream(List.of(), java.io.OutputStream.nullOutputStream(), java.io.OutputStream.nullOutputStream()));
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void exec_noHandler_answersError() throws Exception {
        start(null, LONG_IDLE);

        try (AgentClient client = AgentClient.connect(dataDir)) {
            AgentException error = assertThrows(AgentException.class, () -> client.exec(List.of("list")));
            assertEquals("this journal agent runs no commands", error.getMessage());
        }
    }

    @Test
    void append_throughAgent_readDirectlyShowsTheEventsWithTheReturnedSeqs() throws Exception {
        start(null, LONG_IDLE);
        long[] seqs;
        try (AgentClient client = AgentClient.connect(dataDir)) {
            seqs = client.append(List.of(eventJson("A", 1), eventJson("B", 2)));
        }

        List<Envelope> read = new ArrayList<>();
        try (ChronicleJournal direct = ChronicleJournal.open(dataDir.resolve("journal"))) {
            direct.read(0, read::add);
        }
        assertEquals(2, read.size());
        assertArrayEquals(seqs, read.stream().mapToLong(Envelope::seq).toArray());
        assertEquals(List.of("A", "B"), read.stream().map(Envelope::type).toList());
        assertEquals(new Writer(7, "h"), read.get(0).writer());
        assertEquals(2, read.get(1).data().get("i").asInt());
    }

    @Test
    void append_invalidEventInBatch_answersErrorAndAppendsNone() throws Exception {
        start(null, LONG_IDLE);

        try (AgentClient client = AgentClient.connect(dataDir)) {
            AgentException error = assertThrows(AgentException.class,
                    () -> client.append(List.of(eventJson("A", 1), "{\"type\":\"B\"}")));
            assertTrue(error.getMessage().contains("v"), error.getMessage());

            List<String> read = new ArrayList<>();
            client.read(0, read::add);
            assertEquals(List.of(), read);
        }
    }

    @Test
    void read_throughAgent_seesDirectAppendsWithTheirSeqs() throws Exception {
        start(null, LONG_IDLE);
        List<Long> seqs;
        try (ChronicleJournal direct = ChronicleJournal.open(dataDir.resolve("journal"))) {
            seqs = direct.append(List.of(EnvelopeJson.newEvent(eventJson("A", 1)), EnvelopeJson.newEvent(eventJson("B", 2))));
        }

        try (AgentClient client = AgentClient.connect(dataDir)) {
            List<String> all = new ArrayList<>();
            client.read(0, all::add);
            List<String> after = new ArrayList<>();
            client.read(seqs.get(0), after::add);

            assertEquals(2, all.size());
            JsonNode first = EnvelopeJson.mapper().readTree(all.get(0));
            assertEquals((long) seqs.get(0), first.get("seq").asLong());
            assertEquals("A", first.get("type").asText());
            assertEquals(1, after.size());
            assertEquals(seqs.get(1), EnvelopeJson.envelope(after.get(0)).seq());
        }
    }

    @Test
    void read_seqNotANumber_answersErrorAndKeepsTheConnection() throws Exception {
        start(null, LONG_IDLE);

        try (Socket raw = Socket.open(socket())) {
            raw.out.writeByte(Protocol.READ);
            raw.out.writeInt(1);
            Protocol.writeString(raw.out, "not-a-number");
            raw.out.flush();

            assertEquals(Protocol.ERROR, raw.in.readByte());
            assertEquals("READ needs a seq, not not-a-number", Protocol.readString(raw.in));
            raw.out.writeByte(Protocol.PING);
            raw.out.writeInt(1);
            Protocol.writeString(raw.out, Protocol.VERSION);
            raw.out.flush();
            assertEquals(Protocol.OK, raw.in.readByte());
        }
    }

    @Test
    void request_garbledFrame_answersErrorAndClosesTheConnection() throws Exception {
        start(null, LONG_IDLE);

        try (Socket raw = Socket.open(socket())) {
            raw.out.writeByte(Protocol.APPEND);
            raw.out.writeInt(-5);
            raw.out.flush();

            assertEquals(Protocol.ERROR, raw.in.readByte());
            assertTrue(Protocol.readString(raw.in).startsWith("bad request"));
            assertEquals(-1, raw.in.read());
        }
        try (AgentClient client = AgentClient.connect(dataDir)) {
            assertTrue(client.ping());
        }
    }

    @Test
    void request_unknownOp_answersErrorAndKeepsTheConnection() throws Exception {
        start(null, LONG_IDLE);

        try (Socket raw = Socket.open(socket())) {
            raw.out.writeByte(99);
            raw.out.writeInt(0);
            raw.out.flush();

            assertEquals(Protocol.ERROR, raw.in.readByte());
            assertEquals("unknown request 99", Protocol.readString(raw.in));
        }
    }

    @Test
    void ping_otherProtocolVersion_answersFalse() throws Exception {
        start(null, LONG_IDLE);

        try (Socket raw = Socket.open(socket())) {
            raw.out.writeByte(Protocol.PING);
            raw.out.writeInt(1);
            Protocol.writeString(raw.out, "0");
            raw.out.flush();

            assertEquals(Protocol.ERROR, raw.in.readByte());
            assertEquals("journal agent speaks protocol 1, not 0", Protocol.readString(raw.in));
        }
    }

    @Test
    void append_fourConcurrentClients_loseNothingAndKeepEachClientsOrder() throws Exception {
        start(null, LONG_IDLE);
        int clients = 4;
        int perClient = 200;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                String type = "C" + c;
                futures.add(pool.submit(() -> {
                    List<Long> seqs = new ArrayList<>();
                    try (AgentClient client = AgentClient.connect(dataDir)) {
                        for (int i = 0; i < perClient; i++) {
                            seqs.add(client.append(List.of(eventJson(type, i)))[0]);
                        }
                    }
                    return seqs;
                }));
            }
            List<Long> allSeqs = new ArrayList<>();
            for (Future<List<Long>> f : futures) {
                allSeqs.addAll(f.get(60, TimeUnit.SECONDS));
            }
            assertEquals(clients * perClient, allSeqs.stream().distinct().count());
        } finally {
            pool.shutdownNow();
        }

        List<Envelope> read = new ArrayList<>();
        try (ChronicleJournal direct = ChronicleJournal.open(dataDir.resolve("journal"))) {
            direct.read(0, read::add);
        }
        assertEquals(clients * perClient, read.size());
        Map<String, Integer> next = new HashMap<>();
        long previous = 0;
        for (Envelope e : read) {
            assertTrue(e.seq() > previous);
            previous = e.seq();
            int expected = next.getOrDefault(e.type(), 0);
            assertEquals(expected, e.data().get("i").asInt());
            next.put(e.type(), expected + 1);
        }
    }

    @Test
    void run_idleTimeout_returnsZeroAndRemovesTheSocket() throws Exception {
        TestAgent agent = start(null, Duration.ofMillis(300));

        assertEquals(0, agent.awaitExit(Duration.ofSeconds(5)));
        assertFalse(Files.exists(socket()));
        assertNull(AgentClient.connect(dataDir));
    }

    @Test
    void run_requestsKeepItBusy_idleCountsFromTheLastRequest() throws Exception {
        TestAgent agent = start(null, Duration.ofMillis(600));

        try (AgentClient client = AgentClient.connect(dataDir)) {
            for (int i = 0; i < 6; i++) {
                Thread.sleep(200);
                assertTrue(client.ping());
            }
            assertTrue(agent.isRunning());
        }
        assertEquals(0, agent.awaitExit(Duration.ofSeconds(5)));
    }

    @Test
    void run_dataDirDeleted_endsWithinTwoSeconds() throws Exception {
        TestAgent agent = start(null, LONG_IDLE);
        AgentClient idle = AgentClient.connect(dataDir);

        deleteTree(dataDir);
        long deleted = System.nanoTime();

        assertEquals(0, agent.awaitExit(Duration.ofSeconds(2)));
        assertTrue(System.nanoTime() - deleted < TimeUnit.SECONDS.toNanos(2));
        // its idle connection is closed, and the client can tell without sending anything
        assertFalse(idle.isConnected());
        idle.close();
    }

    @Test
    void run_dataDirReplacedBySameNamedDir_endsWithinTwoSeconds() throws Exception {
        TestAgent agent = start(null, LONG_IDLE);

        deleteTree(dataDir);
        // what the queue library does when it opens a path that has just been deleted
        Files.createDirectories(dataDir.resolve("journal"));

        assertEquals(0, agent.awaitExit(Duration.ofSeconds(2)));
    }

    @Test
    void run_dataDirGoneBeforeStart_failsWithoutRecreatingIt() throws Exception {
        deleteTree(dataDir);

        // an agent started on demand can boot after its directory was deleted: it must not bring it back
        assertEquals(AgentServer.EXIT_FAILED, AgentServer.run(dataDir, null, LONG_IDLE));
        assertFalse(Files.exists(dataDir));
    }

    @Test
    void run_socketReplaced_endsAndLeavesTheNewSocketAlone() throws Exception {
        TestAgent agent = start(null, LONG_IDLE);
        Files.delete(socket());
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(socket()));

            assertEquals(0, agent.awaitExit(Duration.ofSeconds(2)));
            assertTrue(Files.exists(socket()));
        }
    }

    @Test
    void run_secondServerOnTheSameDir_returnsAtOnceWithoutDisturbingTheFirst() throws Exception {
        start(ECHO, LONG_IDLE);
        AgentClient client = AgentClient.connect(dataDir);

        TestAgent second = TestAgent.launch(dataDir, null, LONG_IDLE);
        agents.add(second);

        assertEquals(AgentServer.EXIT_ALREADY_RUNNING, second.awaitExit(Duration.ofSeconds(2)));
        assertTrue(client.ping());
        assertEquals("out:1", new String(client.exec(List.of("1")).stdout(), StandardCharsets.UTF_8));
        client.close();
        try (AgentClient fresh = AgentClient.connect(dataDir)) {
            assertNotNull(fresh);
        }
    }

    @Test
    void shutdown_request_answersThenEndsTheServer() throws Exception {
        TestAgent agent = start(null, LONG_IDLE);

        try (AgentClient client = AgentClient.connect(dataDir)) {
            client.shutdown();
        }

        assertEquals(0, agent.awaitExit(Duration.ofSeconds(5)));
        assertFalse(Files.exists(socket()));
    }

    @Test
    void shutdown_whileARequestRuns_answersItAndTellsOthersItIsStopping() throws Exception {
        java.util.concurrent.CountDownLatch inExec = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        TestAgent agent = start(journal -> args -> {
            inExec.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new ExecResult(0, "done".getBytes(StandardCharsets.UTF_8), null);
        }, LONG_IDLE);
        AgentClient busy = AgentClient.connect(dataDir);
        AgentClient idle = AgentClient.connect(dataDir);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Socket raw = Socket.open(socket())) {
            Future<ExecResult> running = pool.submit(() -> busy.exec(List.of("slow")));
            assertTrue(inExec.await(10, TimeUnit.SECONDS));

            try (AgentClient stopper = AgentClient.connect(dataDir)) {
                stopper.shutdown();
            }

            // an idle connection is told, unasked, and then closed
            assertEquals(Protocol.STOPPING, raw.in.readByte());
            assertEquals(-1, raw.in.read());
            // a request sent now is refused whole, so the sender knows it was not processed
            assertThrows(AgentUnavailableException.class, () -> idle.append(List.of(eventJson("A", 1))));
            assertFalse(idle.isConnected());
            assertTrue(agent.isRunning());

            release.countDown();
            assertEquals("done", new String(running.get(10, TimeUnit.SECONDS).stdout(), StandardCharsets.UTF_8));
            assertEquals(0, agent.awaitExit(Duration.ofSeconds(5)));
        } finally {
            release.countDown();
            pool.shutdownNow();
            busy.close();
            idle.close();
        }
        try (ChronicleJournal direct = ChronicleJournal.open(dataDir.resolve("journal"))) {
            assertEquals(0, direct.lastSeq());
        }
    }

    @Test
    void connect_staleSocketFile_returnsNull() throws Exception {
        Files.createDirectories(socket().getParent());
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket()));
        }
        assertTrue(Files.exists(socket()));

        assertNull(AgentClient.connect(dataDir));
    }

    @Test
    void connect_noSocket_returnsNull() {
        assertNull(AgentClient.connect(dataDir));
        assertNull(AgentClient.connect(dataDir.resolve("missing")));
    }

    @Test
    void run_staleSocketLeftBehind_replacesItAndServes() throws Exception {
        Files.createDirectories(socket().getParent());
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket()));
        }

        start(null, LONG_IDLE);

        try (AgentClient client = AgentClient.connect(dataDir)) {
            assertTrue(client.ping());
        }
    }

    @Test
    void run_socketPathTooLong_failsWithOneLine() throws Exception {
        Path deep = Files.createDirectories(dataDir.resolve("d".repeat(100)));
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        int exit;
        System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            exit = AgentServer.run(deep, null, LONG_IDLE);
        } finally {
            System.setErr(saved);
        }

        assertEquals(AgentServer.EXIT_FAILED, exit);
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.startsWith("journal agent: cannot start: "), message);
        assertEquals(1, message.lines().count(), message);
        assertNull(AgentClient.connect(deep));
    }

    /** A raw connection, to send what AgentClient never would. */
    static final class Socket implements AutoCloseable {
        final SocketChannel channel;
        final DataInputStream in;
        final DataOutputStream out;

        private Socket(SocketChannel channel) {
            this.channel = channel;
            this.in = new DataInputStream(Channels.newInputStream(channel));
            this.out = new DataOutputStream(Channels.newOutputStream(channel));
        }

        static Socket open(Path path) throws IOException {
            return new Socket(SocketChannel.open(UnixDomainSocketAddress.of(path)));
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
