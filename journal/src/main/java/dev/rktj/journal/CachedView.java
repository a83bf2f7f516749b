package dev.rktj.journal;

/**
 * Owns one projection's current view and the seq of the last event folded into it, and extends
 * them from the journal on demand. The journal is read rather than fed from appends so that events
 * written by other processes are never missed.
 */
public final class CachedView<V> {

    private final Projection<V> projection;
    private V view;
    private long seq;

    public CachedView(Projection<V> projection) {
        this(projection, projection.initial(), 0);
    }

    /** Resumes from a snapshot: {@code view} must be the fold of every event up to {@code seq}. */
    public CachedView(Projection<V> projection, V view, long seq) {
        this.projection = projection;
        this.view = view;
        this.seq = seq;
    }

    /** Folds the events after the last one seen and returns the view. */
    public synchronized V refresh(Journal journal) throws JournalException {
        // view and seq move together per event, so a projection that throws halfway leaves a
        // consistent pair and the next refresh resumes at the failed event
        journal.read(seq, event -> {
            view = projection.evolve(view, event);
            seq = event.seq();
        });
        return view;
    }

    /** The view as of {@link #seq()}, without reading the journal. */
    public synchronized V view() {
        return view;
    }

    /** Seq of the last event folded, 0 when none. */
    public synchronized long seq() {
        return seq;
    }
}
