package dev.rktj.journal.chronicle;

import dev.rktj.journal.Envelope;
import dev.rktj.journal.EnvelopeJson;
import dev.rktj.journal.Journal;
import dev.rktj.journal.JournalException;
import dev.rktj.journal.NewEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Owns one Chronicle Queue directory as the journal: each event is one text document holding its
 * stored JSON, and an event's seq is the Chronicle index of its document.
 */
public final class ChronicleJournal implements Journal {

    /**
     * Stored in the queue on creation and then fixed for ever. Daily: a file a day at most, so an
     * idle or a busy journal never rolls on a time scale that matters, and 2^32 events a day.
     */
    public static final RollCycle ROLL_CYCLE = RollCycles.FAST_DAILY;

    /**
     * Not stored in the queue, so every process must map the same size. Events are a few hundred
     * bytes; a small block keeps the mapped (and, sparse or not, reported) file size small.
     */
    public static final long BLOCK_SIZE = 4L << 20;

    /**
     * Largest stored JSON of one event, in UTF-8 bytes. Measured with this block size: documents
     * of 1.5 MB that straddle a block boundary are written without complaint and then cannot be
     * read (BufferUnderflowException), which would stop every later read; 1.2 MB still read. A
     * fifth of that leaves room, and an event that big is a design mistake anyway.
     */
    public static final int MAX_EVENT_BYTES = 256 << 10;

    static {
        // set before any Chronicle class initialises, unless the launcher chose otherwise:
        // no usage analytics (nor ~/.chronicle.analytics.* files) from whatever opens a journal;
        // no announcement of versions and JVM on first use; no disk-space monitor thread, whose
        // warnings would land on the CLI's stderr (a full disk fails the append with a message)
        defaultProperty("chronicle.analytics.disable", "true");
        defaultProperty("chronicle.announcer.disable", "true");
        defaultProperty("chronicle.disk.monitor.disable", "true");
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private final Path dir;
    private final SingleChronicleQueue queue;
    private final Object appendLock = new Object();
    private ExcerptAppender appender;
    private volatile boolean closed;

    private ChronicleJournal(Path dir, SingleChronicleQueue queue) {
        this.dir = dir;
        this.queue = queue;
    }

    /** Opens the journal in {@code journalDir}, creating the directory and queue if needed. */
    /**
     * Whether this JVM was given the module flags Chronicle Queue needs on JDK 17 (jvm-notes.md).
     * The launcher leaves them out when a journal agent's socket is there, which saves every thin
     * command the JVM's archived module graph; such a JVM must reach the journal through an agent.
     */
    public static boolean openableHere() {
        return Object.class.getModule().isOpen("java.lang", ChronicleJournal.class.getModule());
    }

    public static ChronicleJournal open(Path journalDir) throws JournalException {
        return open(journalDir, null);
    }

    /** With a clock for the roll cycle, so that tests can cross a day without waiting one. */
    static ChronicleJournal open(Path journalDir, LongSupplier clockMillis) throws JournalException {
        try {
            Files.createDirectories(journalDir);
        } catch (IOException e) {
            throw new JournalException("cannot create journal directory " + journalDir + ": " + e.getMessage(), e);
        }
        try {
            SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.single(journalDir.toFile())
                    .rollCycle(ROLL_CYCLE)
                    .blockSize(BLOCK_SIZE);
            if (clockMillis != null) {
                builder.timeProvider(clockMillis::getAsLong);
            }
            SingleChronicleQueue queue = builder.build();
            return new ChronicleJournal(journalDir, queue);
        } catch (RuntimeException e) {
            throw new JournalException("cannot open journal " + journalDir + ": " + oneLine(e), e);
        }
    }

    /** The queue directory. */
    public Path dir() {
        return dir;
    }

    @Override
    public List<Long> append(List<NewEvent> events) throws JournalException {
        for (NewEvent event : events) {
            EnvelopeJson.check(event);
        }
        List<String> json = new ArrayList<>(events.size());
        for (NewEvent event : events) {
            String doc = EnvelopeJson.toJson(event);
            int bytes = doc.length() <= MAX_EVENT_BYTES / 3 ? doc.length() : doc.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_EVENT_BYTES) {
                throw new JournalException("event " + event.type() + " is " + bytes + " bytes, more than the journal's "
                        + MAX_EVENT_BYTES);
            }
            json.add(doc);
        }
        List<Long> seqs = new ArrayList<>(events.size());
        // one appender shared under a lock: appends are serialised by Chronicle's write lock
        // anyway, and one appender is one thing to close
        synchronized (appendLock) {
            ensureOpen();
            try {
                if (appender == null) {
                    appender = queue.createAppender();
                    // guarded by appendLock; Chronicle's own check would reject the next thread
                    appender.singleThreadedCheckDisabled(true);
                }
                for (String doc : json) {
                    try (DocumentContext dc = appender.writingDocument()) {
                        dc.wire().getValueOut().text(doc);
                    }
                    seqs.add(appender.lastIndexAppended());
                }
            } catch (RuntimeException e) {
                throw failure("append to", e);
            }
        }
        return seqs;
    }

    @Override
    public long read(long afterSeq, Consumer<Envelope> consumer) throws JournalException {
        ensureOpen();
        long last = afterSeq;
        ExcerptTailer tailer;
        try {
            tailer = queue.createTailer();
            position(tailer, afterSeq);
        } catch (RuntimeException e) {
            throw failure("read", e);
        }
        try {
            String[] json = new String[1];
            long seq;
            // the consumer runs outside the Chronicle calls so that its exceptions stay its own
            while ((seq = next(tailer, afterSeq, json)) > 0) {
                Envelope envelope;
                try {
                    envelope = EnvelopeJson.envelope(seq, json[0]);
                } catch (JournalException e) {
                    throw new JournalException("journal " + dir + " event " + seq + ": " + e.getMessage(), e);
                }
                consumer.accept(envelope);
                last = seq;
            }
        } finally {
            try {
                tailer.close();
            } catch (RuntimeException e) {
                // a tailer holds no lock and nothing to flush; failing to close it loses nothing
            }
        }
        return last;
    }

    /** Reads the next document after {@code afterSeq} into {@code json[0]}; its seq, or 0 at the end. */
    private long next(ExcerptTailer tailer, long afterSeq, String[] json) throws JournalException {
        try {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return 0;
                    }
                    long seq = dc.index();
                    if (seq > afterSeq) {
                        json[0] = dc.wire().getValueIn().text();
                        return seq;
                    }
                }
            }
        } catch (RuntimeException e) {
            throw failure("read", e);
        }
    }

    private JournalException failure(String what, RuntimeException e) {
        if (closed) {
            return new JournalException("journal " + dir + " is closed", e);
        }
        return new JournalException("cannot " + what + " journal " + dir + ": " + oneLine(e), e);
    }

    /** Seq of the last event, or 0 when the journal is empty. */
    public long lastSeq() throws JournalException {
        ensureOpen();
        long last = queue.lastIndex();
        return last < 0 ? 0 : last;
    }

    /**
     * Puts the tailer at or before the first document after {@code afterSeq}; the read loop skips
     * whatever is not after it, so a position that is too early is only slower, never wrong.
     */
    private void position(ExcerptTailer tailer, long afterSeq) {
        if (afterSeq <= 0) {
            tailer.toStart();
            return;
        }
        if (tailer.moveToIndex(afterSeq)) {
            return;
        }
        // afterSeq is not a document: it is before the first, past the last, or past the end of
        // an older cycle
        long first = queue.firstIndex();
        long last = queue.lastIndex();
        if (first == Long.MAX_VALUE || last < 0 || afterSeq < first) {
            tailer.toStart();
        } else if (afterSeq >= last) {
            tailer.toEnd();
        } else if (!tailer.moveToCycle(ROLL_CYCLE.toCycle(afterSeq))) {
            tailer.toStart();
        }
    }

    private void ensureOpen() throws JournalException {
        if (closed) {
            throw new JournalException("journal " + dir + " is closed");
        }
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    @Override
    public void close() {
        synchronized (appendLock) {
            if (closed) {
                return;
            }
            closed = true;
            if (appender != null) {
                appender.close();
            }
            queue.close();
        }
    }
}
