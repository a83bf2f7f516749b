package dev.rktj.kernel.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.journal.Envelope;
import dev.rktj.journal.NewEvent;
import dev.rktj.kernel.event.AppExited;
import dev.rktj.kernel.event.EventCodec;
import dev.rktj.kernel.event.KernelEvent;
import dev.rktj.kernel.event.PodExited;
import dev.rktj.kernel.event.PodGarbageCollected;
import dev.rktj.kernel.event.PodGarbageMarked;
import dev.rktj.kernel.event.PodPrepared;
import dev.rktj.kernel.event.PodStarted;
import dev.rktj.kernel.event.StateReconciled;
import dev.rktj.kernel.pod.PodState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Given these events, then this view. */
class PodsViewTest {

    private static final String POD = "6f1c9a42-0000-4000-8000-000000000001";
    private static final PodPrepared PREPARED = new PodPrepared(POD,
            List.of(new PodPrepared.App("one", "sha512-aa", "example.com/one:1"), new PodPrepared.App("two", "sha512-bb", "example.com/two")), "fly");

    private static PodsView fold(KernelEvent... events) {
        PodsView view = PodsView.PROJECTION.initial();
        long seq = 0;
        for (KernelEvent e : events) {
            NewEvent n = EventCodec.encode(e);
            view = PodsView.PROJECTION.evolve(view, new Envelope(++seq, 1000 * seq, n.type(), n.v(), n.writer(), n.data()));
        }
        return view;
    }

    @Test
    void evolve_preparedStartedExited_recordsTimesPidAndCodes() {
        PodRecord p = fold(PREPARED, new PodStarted(POD, 42, "fly"), new AppExited(POD, "one", 0), new AppExited(POD, "two", 5),
                new PodExited(POD, 5, null)).get(POD).orElseThrow();
        assertEquals(PodState.EXITED, p.state());
        assertEquals(1000, p.createdAt());
        assertEquals(2000, p.startedAt());
        assertEquals(5000, p.finishedAt());
        assertEquals(42, p.pid());
        assertEquals(5, p.exitCode());
        assertEquals(List.of(0, 5), p.apps().stream().map(PodRecord.App::exitCode).toList());
    }

    @Test
    void evolve_whileRunning_noExitCodes() {
        PodRecord p = fold(PREPARED, new PodStarted(POD, 42, "fly")).get(POD).orElseThrow();
        assertEquals(PodState.RUNNING, p.state());
        assertNull(p.exitCode());
        assertTrue(p.apps().stream().allMatch(a -> a.exitCode() == null));
    }

    @Test
    void evolve_reconciledUnknownExit_keepsTheReason() {
        PodRecord p = fold(PREPARED, new PodStarted(POD, 42, "fly"), new StateReconciled(POD, "running", "exited", "lock free"),
                new PodExited(POD, null, "stage0 lost")).get(POD).orElseThrow();
        assertEquals(PodState.EXITED, p.state());
        assertNull(p.exitCode());
        assertEquals("stage0 lost", p.exitReason());
    }

    @Test
    void evolve_markedThenCollected_exitedGarbageThenGone() {
        PodsView marked = fold(PREPARED, new PodStarted(POD, 1, "fly"), new PodExited(POD, 0, null), new PodGarbageMarked(POD, "exited"));
        assertEquals(PodState.EXITED_GARBAGE, marked.get(POD).orElseThrow().state());
        assertTrue(fold(PREPARED, new PodGarbageMarked(POD, "prepared"), new PodGarbageCollected(POD)).all().isEmpty());
        assertEquals(PodState.GARBAGE, fold(PREPARED, new PodGarbageMarked(POD, "prepared")).get(POD).orElseThrow().state());
    }

    @Test
    void matching_prefix_onlyThoseUuids() {
        PodsView v = fold(PREPARED, new PodPrepared("6f2", List.of(), "fly"), new PodPrepared("7a0", List.of(), "fly"));
        assertEquals(2, v.matching("6f").size());
        assertEquals(1, v.matching("6f1").size());
        assertEquals(0, v.matching("8").size());
    }
}
