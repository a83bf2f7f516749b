package dev.rktj.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rktj.journal.chronicle.ChronicleJournal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachedViewTest {

    @TempDir
    Path tmp;

    /** Counts events and remembers their types; counts evolve calls to see what was re-read. */
    static final class Types implements Projection<List<String>> {
        final AtomicInteger evolved = new AtomicInteger();
        volatile String failOn;

        @Override
        public List<String> initial() {
            return List.of();
        }

        @Override
        public List<String> evolve(List<String> view, Envelope event) {
            if (event.type().equals(failOn)) {
                throw new IllegalStateException("cannot fold " + failOn);
            }
            evolved.incrementAndGet();
            List<String> next = new ArrayList<>(view);
            next.add(event.type());
            return List.copyOf(next);
        }
    }

    static List<NewEvent> events(String... types) {
        List<NewEvent> out = new ArrayList<>();
        for (String type : types) {
            ObjectNode data = EnvelopeJson.mapper().createObjectNode();
            out.add(NewEvent.now(type, 1, data));
        }
        return out;
    }

    @Test
    void refresh_twice_foldsOnlyTheNewEvents() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"))) {
            Types types = new Types();
            CachedView<List<String>> cached = new CachedView<>(types);
            journal.append(events("A", "B"));

            assertEquals(List.of("A", "B"), cached.refresh(journal));
            List<Long> seqs = journal.append(events("C"));

            assertEquals(List.of("A", "B", "C"), cached.refresh(journal));
            assertEquals(3, types.evolved.get());
            assertEquals(seqs.get(0), cached.seq());
        }
    }

    @Test
    void refresh_emptyJournal_returnsTheInitialViewAtSeqZero() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"))) {
            CachedView<List<String>> cached = new CachedView<>(new Types());

            assertEquals(List.of(), cached.refresh(journal));
            assertEquals(0, cached.seq());
        }
    }

    @Test
    void refresh_projectionThrows_resumesAtTheFailedEventNextTime() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"))) {
            Types types = new Types();
            CachedView<List<String>> cached = new CachedView<>(types);
            List<Long> seqs = journal.append(events("A", "B", "C"));
            types.failOn = "B";

            assertThrows(IllegalStateException.class, () -> cached.refresh(journal));
            assertEquals(List.of("A"), cached.view());
            assertEquals(seqs.get(0), cached.seq());

            types.failOn = null;
            assertEquals(List.of("A", "B", "C"), cached.refresh(journal));
        }
    }

    @Test
    void refresh_eventsFromAnotherJournalInstance_seesThem() throws Exception {
        Path dir = tmp.resolve("journal");
        try (ChronicleJournal reader = ChronicleJournal.open(dir); ChronicleJournal writer = ChronicleJournal.open(dir)) {
            CachedView<List<String>> cached = new CachedView<>(new Types());
            reader.append(events("A"));
            cached.refresh(reader);

            writer.append(events("B"));

            assertEquals(List.of("A", "B"), cached.refresh(reader));
        }
    }

    @Test
    void refresh_fromSnapshot_foldsOnlyEventsAfterIt() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"))) {
            List<Long> seqs = journal.append(events("A", "B", "C"));
            CachedView<List<String>> cached = new CachedView<>(new Types(), List.of("a", "b"), seqs.get(1));

            assertEquals(List.of("a", "b", "C"), cached.refresh(journal));
        }
    }

    @Test
    void refresh_fromManyThreads_foldsEachEventOnce() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(tmp.resolve("journal"))) {
            Types types = new Types();
            CachedView<List<String>> cached = new CachedView<>(types);
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread thread = new Thread(() -> {
                    try {
                        for (int i = 0; i < 50; i++) {
                            journal.append(events("E"));
                            cached.refresh(journal);
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join(60_000);
            }

            assertEquals(List.of(), errors);
            assertEquals(200, cached.refresh(journal).size());
            assertEquals(200, types.evolved.get());
        }
    }
}
