package dev.rktj.kernel;

import dev.rktj.journal.CachedView;
import dev.rktj.journal.Envelope;
import dev.rktj.journal.Journal;
import dev.rktj.journal.JournalException;
import dev.rktj.journal.NewEvent;
import dev.rktj.journal.agent.JournalConnector;
import dev.rktj.kernel.event.EventCodec;
import dev.rktj.kernel.event.KernelEvent;
import dev.rktj.kernel.view.ImagesView;
import dev.rktj.kernel.view.PodsView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The kernel's handle on the journal: appends kernel events and keeps the projections folded.
 * In the journal agent one session lives as long as the agent, so views are folded once and then
 * only extended; in a command it lives as long as the command.
 */
public final class JournalSession implements AutoCloseable {

    private final Journal journal;
    private final CachedView<PodsView> pods = new CachedView<>(PodsView.PROJECTION);
    private final CachedView<ImagesView> images = new CachedView<>(ImagesView.PROJECTION);

    public JournalSession(Journal journal) {
        this.journal = journal;
    }

    /** Through the agent when one answers (starting it if a command is given), else directly. */
    public static JournalSession open(Path dataDir, List<String> agentCommand) throws JournalException {
        return new JournalSession(JournalConnector.open(dataDir, agentCommand, Duration.ZERO));
    }

    public void append(KernelEvent... events) throws JournalException {
        List<NewEvent> list = new ArrayList<>(events.length);
        for (KernelEvent e : events) {
            list.add(EventCodec.encode(e));
        }
        journal.append(list);
    }

    /** A private copy of the pods view, current as of now. */
    public PodsView pods() throws JournalException {
        synchronized (pods) {
            return pods.refresh(journal).copy();
        }
    }

    /** One pod as of now, without copying the view. */
    public java.util.Optional<dev.rktj.kernel.view.PodRecord> pod(String uuid) throws JournalException {
        synchronized (pods) {
            return pods.refresh(journal).get(uuid);
        }
    }

    public ImagesView images() throws JournalException {
        synchronized (images) {
            return images.refresh(journal).copy();
        }
    }

    /** Every event from the start. */
    public void readAll(Consumer<Envelope> consumer) throws JournalException {
        journal.read(0, consumer);
    }

    @Override
    public void close() {
        journal.close();
    }
}
