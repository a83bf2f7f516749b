package dev.rktj.journal;

import java.util.List;
import java.util.function.Consumer;

/**
 * The append-only event log. Safe for several processes at once; readers never block writers.
 */
public interface Journal extends AutoCloseable {

    /** Appends the events in order, atomically visible one by one; returns their seqs. */
    List<Long> append(List<NewEvent> events) throws JournalException;

    /**
     * Sourcing: a finite read of every event after {@code afterSeq} (0 = from the start) up to the
     * end as it is now. Returns the seq of the last event read, or {@code afterSeq} if none.
     */
    long read(long afterSeq, Consumer<Envelope> consumer) throws JournalException;

    @Override
    void close();
}
