package dev.rktj.kernel.view;

import dev.rktj.journal.Envelope;
import dev.rktj.journal.Projection;
import dev.rktj.kernel.event.AppExited;
import dev.rktj.kernel.event.EventCodec;
import dev.rktj.kernel.event.KernelEvent;
import dev.rktj.kernel.event.PodExited;
import dev.rktj.kernel.event.PodGarbageCollected;
import dev.rktj.kernel.event.PodGarbageMarked;
import dev.rktj.kernel.event.PodPrepareAborted;
import dev.rktj.kernel.event.PodPrepared;
import dev.rktj.kernel.event.PodRemoved;
import dev.rktj.kernel.event.PodStarted;
import dev.rktj.kernel.pod.PodState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The pods that exist, folded from the journal: what {@code rkt list} and {@code rkt status} show.
 * Pods deleted by gc or rm leave the view (their history stays in the journal). The fold mutates
 * and returns the same instance; readers take a {@link #copy()} under the cache's lock.
 */
public final class PodsView {

    private final TreeMap<String, PodRecord> pods;

    private PodsView(TreeMap<String, PodRecord> pods) {
        this.pods = pods;
    }

    public static final Projection<PodsView> PROJECTION = new Projection<>() {
        @Override
        public PodsView initial() {
            return new PodsView(new TreeMap<>());
        }

        @Override
        public PodsView evolve(PodsView view, Envelope event) {
            view.apply(EventCodec.decode(event), event.at());
            return view;
        }
    };

    public PodsView copy() {
        return new PodsView(new TreeMap<>(pods));
    }

    /** Pods sorted by UUID. */
    public List<PodRecord> all() {
        return List.copyOf(pods.values());
    }

    public Optional<PodRecord> get(String uuid) {
        return Optional.ofNullable(pods.get(uuid));
    }

    /** Pods whose UUID starts with the prefix. */
    public List<PodRecord> matching(String prefix) {
        List<PodRecord> out = new ArrayList<>();
        for (Map.Entry<String, PodRecord> e : pods.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            out.add(e.getValue());
        }
        return out;
    }

    void apply(KernelEvent event, long at) {
        if (event == null || event.pod() == null) {
            return;
        }
        String id = event.pod();
        PodRecord p = pods.get(id);
        if (event instanceof PodPrepared e) {
            List<PodRecord.App> apps = e.apps().stream()
                    .map(a -> new PodRecord.App(a.name(), a.imageId(), a.imageName(), null)).toList();
            pods.put(id, new PodRecord(id, PodState.PREPARED, apps, e.stage1(), at, 0, 0, 0, null, null));
        } else if (event instanceof PodStarted e) {
            if (p != null) {
                pods.put(id, new PodRecord(id, PodState.RUNNING, p.apps(), e.stage1(), p.createdAt(), at, 0, e.pid(), null, null));
            }
        } else if (event instanceof AppExited e) {
            if (p != null) {
                List<PodRecord.App> apps = p.apps().stream()
                        .map(a -> a.name().equals(e.app()) ? a.withExitCode(e.exitCode()) : a).toList();
                pods.put(id, new PodRecord(id, p.state(), apps, p.stage1(), p.createdAt(), p.startedAt(), p.finishedAt(),
                        p.pid(), p.exitCode(), p.exitReason()));
            }
        } else if (event instanceof PodExited e) {
            if (p != null) {
                pods.put(id, new PodRecord(id, PodState.EXITED, p.apps(), p.stage1(), p.createdAt(), p.startedAt(), at,
                        p.pid(), e.exitCode(), e.reason()));
            }
        } else if (event instanceof PodPrepareAborted e) {
            pods.put(id, new PodRecord(id, PodState.ABORTED_PREPARE, p == null ? List.of() : p.apps(),
                    p == null ? null : p.stage1(), p == null ? at : p.createdAt(), 0, 0, 0, null, e.reason()));
        } else if (event instanceof PodGarbageMarked) {
            if (p != null) {
                pods.put(id, p.with(p.state() == PodState.EXITED ? PodState.EXITED_GARBAGE : PodState.GARBAGE));
            }
        } else if (event instanceof PodGarbageCollected || event instanceof PodRemoved) {
            pods.remove(id);
        }
    }
}
