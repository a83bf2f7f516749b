package dev.rktj.journal.chronicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rktj.journal.ChildJvm;
import dev.rktj.journal.Envelope;
import dev.rktj.journal.EnvelopeJson;
import dev.rktj.journal.JournalException;
import dev.rktj.journal.NewEvent;
import dev.rktj.journal.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChronicleJournalTest {

    @TempDir
    Path tmp;

    static NewEvent event(String type, int i) {
        ObjectNode data = EnvelopeJson.mapper().createObjectNode();
        data.put("i", i);
        return new NewEvent(type, 1, 1_700_000_000_000L + i, new Writer(42, "host-a"), data);
    }

    static List<Envelope> readAll(ChronicleJournal journal, long afterSeq) throws JournalException {
        List<Envelope> out = new ArrayList<>();
        journal.read(afterSeq, out::add);
        return out;
    }

    @Test
    void append_thenRead_returnsEnvelopesWithTheReturnedSeqs() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"))) {
            List<Long> seqs = journal.append(List.of(event("A", 1), event("B", 2), event("C", 3)));

            List<Envelope> read = readAll(journal, 0);

            assertEquals(3, read.size());
            assertEquals(seqs, read.stream().map(Envelope::seq).toList());
            assertTrue(seqs.get(0) > 0 && seqs.get(0) < seqs.get(1) && seqs.get(1) < seqs.get(2));
            Envelope b = read.get(1);
            assertEquals("B", b.type());
            assertEquals(1, b.v());
            assertEquals(1_700_000_000_002L, b.at());
            assertEquals(new Writer(42, "host-a"), b.writer());
            assertEquals(2, b.data().get("i").asInt());
        }
    }

    @Test
    void read_afterSeq_startsAfterThatEventAndReturnsTheLastSeq() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"))) {
            List<Long> seqs = journal.append(List.of(event("A", 1), event("B", 2), event("C", 3)));

            List<Envelope> read = new ArrayList<>();
            long last = journal.read(seqs.get(0), read::add);

            assertEquals(List.of("B", "C"), read.stream().map(Envelope::type).toList());
            assertEquals(seqs.get(2), last);
        }
    }

    @Test
    void read_atTheEnd_readsNothingAndReturnsAfterSeq() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"))) {
            assertEquals(0, journal.read(0, e -> {}));
            long lastSeq = journal.append(List.of(event("A", 1))).get(0);

            assertEquals(lastSeq, journal.read(lastSeq, e -> {}));
            assertEquals(lastSeq, journal.lastSeq());
        }
    }

    @Test
    void read_afterSeqNotInTheJournal_startsAtTheFirstGreaterSeq() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"))) {
            List<Long> seqs = journal.append(List.of(event("A", 1), event("B", 2)));

            assertEquals(List.of("A", "B"), readAll(journal, 1).stream().map(Envelope::type).toList());
            assertEquals(List.of("A", "B"), readAll(journal, seqs.get(0) - 1).stream().map(Envelope::type).toList());
            assertEquals(List.of(), readAll(journal, seqs.get(1) + 1000));

            long beyond = seqs.get(1) + 1000;
            List<Long> later = journal.append(List.of(event("C", 3)));
            // an index past the end is still honoured once the journal grows
            assertTrue(later.get(0) < beyond);
            assertEquals(List.of(), readAll(journal, beyond));
        }
    }

    @Test
    void read_acrossDays_keepsSeqsIncreasingAndSkipsAMissingSeqInAnOlderDay() throws Exception {
        long day = 86_400_000L;
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(20_000 * day + 1000);
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"), clock::get)) {
            List<Long> first = journal.append(List.of(event("A", 1), event("B", 2)));
            clock.addAndGet(2 * day);
            List<Long> second = journal.append(List.of(event("C", 3)));

            assertTrue(second.get(0) > first.get(1));
            assertEquals(List.of("A", "B", "C"), readAll(journal, 0).stream().map(Envelope::type).toList());
            assertEquals(List.of("C"), readAll(journal, first.get(1)).stream().map(Envelope::type).toList());
            // past the end of the first day's file: not a document, so the next one is the first after it
            assertEquals(List.of("C"), readAll(journal, first.get(1) + 5).stream().map(Envelope::type).toList());
        }
        try (var files = Files.list(tmp.resolve("journal"))) {
            assertEquals(2, files.filter(f -> f.toString().endsWith(".cq4")).count());
        }
    }

    @Test
    void open_existingJournal_keepsItsEventsAndSeqs() throws Exception {
        Path dir = tmp.resolve("journal");
        List<Long> seqs;
        try (ChronicleJournal journal = ChronicleJournal.open(dir)) {
            seqs = journal.append(List.of(event("A", 1), event("B", 2)));
        }
        try (ChronicleJournal journal = ChronicleJournal.open(dir)) {
            List<Long> more = journal.append(List.of(event("C", 3)));

            assertEquals(List.of(seqs.get(0), seqs.get(1), more.get(0)),
                    readAll(journal, 0).stream().map(Envelope::seq).toList());
            assertTrue(more.get(0) > seqs.get(1));
        }
    }

    @Test
    void append_eventWithoutType_throwsAndAppendsNothing() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"))) {
            NewEvent bad = new NewEvent(" ", 1, 0, Writer.self(), null);

            assertThrows(JournalException.class, () -> journal.append(List.of(event("A", 1), bad)));
            assertEquals(List.of(), readAll(journal, 0));
        }
    }

    @Test
    void append_eventsAcrossManyBlocks_readBackWhole() throws Exception {
        String filler = "x".repeat(ChronicleJournal.MAX_EVENT_BYTES - 200);
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"))) {
            // 40 events of ~256 KiB: 10 MiB, so documents straddle the 4 MiB block boundaries
            for (int i = 0; i < 40; i++) {
                NewEvent big = event("Big", i);
                big.data().put("filler", filler);
                journal.append(List.of(big, event("Small", i)));
            }

            List<Envelope> read = readAll(journal, 0);

            assertEquals(80, read.size());
            assertEquals(filler, read.get(78).data().get("filler").asText());
            assertEquals(39, read.get(79).data().get("i").asInt());
        }
    }

    @Test
    void append_eventOverTheSizeLimit_throwsAndAppendsNothing() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"))) {
            NewEvent huge = event("Huge", 1);
            // two UTF-8 bytes a character: over the limit in bytes though not in characters
            huge.data().put("filler", "\u00e9".repeat(ChronicleJournal.MAX_EVENT_BYTES / 2));

            JournalException error = assertThrows(JournalException.class, () -> journal.append(List.of(event("A", 1), huge)));

            assertTrue(error.getMessage().startsWith("event Huge is "), error.getMessage());
            assertEquals(List.of(), readAll(journal, 0));
        }
    }

    @Test
    void append_afterClose_throwsJournalException() throws Exception {
        ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"));
        journal.close();

        assertThrows(JournalException.class, () -> journal.append(List.of(event("A", 1))));
        assertThrows(JournalException.class, () -> journal.read(0, e -> {}));
        journal.close();
    }

    @Test
    void read_consumerThrows_propagatesItsException() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"))) {
            journal.append(List.of(event("A", 1), event("B", 2)));

            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> journal.read(0, e -> { throw new IllegalStateException("stop"); }));
            assertEquals("stop", thrown.getMessage());
            assertEquals(2, readAll(journal, 0).size());
        }
    }

    @Test
    void append_fromEightThreads_losesNothingAndKeepsEachThreadsOrder() throws Exception {
        int threads = 8;
        int perThread = 250;
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"))) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String type = "T" + t;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < perThread; i++) {
                            journal.append(List.of(event(type, i)));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }

            assertEachWriterInOrder(readAll(journal, 0), threads * perThread, perThread, Envelope::type);
        }
    }

    @Test
    void append_fromFourProcesses_losesNothingKeepsEachWritersOrderAndPrintsNothing() throws Exception {
        int processes = 4;
        int perProcess = 500;
        Path dir = tmp.resolve("journal");
        Path sync = Files.createDirectory(tmp.resolve("sync"));
        List<Process> children = new ArrayList<>();
        try {
            for (int p = 0; p < processes; p++) {
                children.add(ChildJvm.start(tmp, "w" + p, ChildJvm.command(AppendMain.class,
                        dir.toString(), "w" + p, Integer.toString(perProcess), sync.toString())));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int p = 0; p < processes; p++) {
                while (!Files.exists(sync.resolve("ready-w" + p))) {
                    assertTrue(System.nanoTime() < deadline, "children did not open the journal in time");
                    assertTrue(children.get(p).isAlive() || Files.exists(sync.resolve("ready-w" + p)),
                            () -> "child failed: " + readQuietly(tmp.resolve("w0.err")));
                    Thread.sleep(10);
                }
            }
            Files.createFile(sync.resolve("go"));
            for (int p = 0; p < processes; p++) {
                assertTrue(children.get(p).waitFor(60, TimeUnit.SECONDS), "child " + p + " hung");
                int p0 = p;
                assertEquals(0, children.get(p).exitValue(), () -> readQuietly(tmp.resolve("w" + p0 + ".err")));
                assertEquals("", Files.readString(tmp.resolve("w" + p + ".out")), "stdout of child " + p);
                assertEquals("", Files.readString(tmp.resolve("w" + p + ".err")), "stderr of child " + p);
            }
        } finally {
            for (Process child : children) {
                child.destroyForcibly();
            }
        }

        try (ChronicleJournal journal = ChronicleJournal.open(dir)) {
            List<Envelope> all = readAll(journal, 0);
            assertEachWriterInOrder(all, processes * perProcess, perProcess, e -> e.data().get("writer").asText());
            long distinctPids = all.stream().map(e -> e.writer().pid()).distinct().count();
            assertEquals(processes, distinctPids);
        }
    }

    @Test
    void open_freshJvmWithoutChronicleProperties_printsNothingAndWritesNoAnalytics() throws Exception {
        Path home = Path.of(System.getProperty("user.home"));
        List<String> before = chronicleFilesIn(home);
        Path sync = Files.createDirectory(tmp.resolve("sync"));
        Files.createFile(sync.resolve("go"));
        Path work = Files.createDirectory(tmp.resolve("work"));

        Process child = ChildJvm.start(tmp, "fresh", ChildJvm.command(false, AppendMain.class,
                tmp.resolve("journal").toString(), "w", "3", sync.toString()), work);

        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), () -> readQuietly(tmp.resolve("fresh.err")));
        assertEquals("", Files.readString(tmp.resolve("fresh.out")));
        assertEquals("", Files.readString(tmp.resolve("fresh.err")));
        assertEquals(before, chronicleFilesIn(home));
        try (var files = Files.list(work)) {
            assertEquals(List.of(), files.toList());
        }
    }

    static List<String> chronicleFilesIn(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.contains("chronicle")).sorted().toList();
        }
    }

    static void assertEachWriterInOrder(List<Envelope> all, int total, int perWriter,
            java.util.function.Function<Envelope, String> writerOf) {
        assertEquals(total, all.size());
        Map<String, Integer> next = new HashMap<>();
        long previous = 0;
        for (Envelope e : all) {
            assertTrue(e.seq() > previous, "seqs strictly increasing");
            previous = e.seq();
            String writer = writerOf.apply(e);
            int expected = next.getOrDefault(writer, 0);
            assertEquals(expected, e.data().get("i").asInt(), "order of writer " + writer);
            next.put(writer, expected + 1);
        }
        assertTrue(next.values().stream().allMatch(n -> n == perWriter), next::toString);
    }

    static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
