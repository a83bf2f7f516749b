package dev.rktj.kernel.event;

/**
 * Every fact the kernel records. Names are past tense, subject first; the journal type name is the
 * record's simple name and {@link #VERSION} its schema version (adding a field keeps it).
 */
public sealed interface KernelEvent
        permits ImageFetched, ImageRemoved, ImageRendered, PodPrepared, PodPrepareAborted, PodStarted, AppExited,
                PodExited, PodStopRequested, PodEntered, PodGarbageMarked, PodGarbageCollected, PodRemoved, StateReconciled,
                KeyTrusted, KeyRemoved {

    int VERSION = 1;

    /** The pod this event is about, or null for image and key events. */
    default String pod() {
        return null;
    }
}
