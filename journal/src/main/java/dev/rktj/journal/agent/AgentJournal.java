package dev.rktj.journal.agent;

import dev.rktj.journal.Envelope;
import dev.rktj.journal.EnvelopeJson;
import dev.rktj.journal.Journal;
import dev.rktj.journal.JournalException;
import dev.rktj.journal.NewEvent;
import dev.rktj.journal.chronicle.ChronicleJournal;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Owns a journal reached through the data directory's agent. When the agent has gone away between
 * requests (it exits when idle) it reconnects, starting it again if it was given a start command,
 * and otherwise opens the queue directly for the rest of its life: correctness never depends on
 * the agent.
 */
public final class AgentJournal implements Journal {

    /** Agents that stop under us, one after the other, before this gives up. */
    private static final int MAX_ATTEMPTS = 3;

    private final Path dataDir;
    private final List<String> agentStartCommand;
    private final Duration startWait;
    private AgentClient client;
    private ChronicleJournal direct;
    private boolean closed;

    /** Uses {@code client}; reconnects to a running agent if needed, never starts one. */
    public AgentJournal(Path dataDir, AgentClient client) {
        this(dataDir, client, null, Duration.ZERO);
    }

    /**
     * Uses {@code client}; if it is lost, reconnects, starting the agent with
     * {@code agentStartCommand} (when not null) and waiting up to {@code startWait} for it.
     */
    public AgentJournal(Path dataDir, AgentClient client, List<String> agentStartCommand, Duration startWait) {
        this.dataDir = dataDir;
        this.client = client;
        this.agentStartCommand = agentStartCommand == null ? null : List.copyOf(agentStartCommand);
        this.startWait = startWait;
    }

    /** True while requests go to the agent, false once this journal has fallen back to the queue. */
    public synchronized boolean viaAgent() {
        return direct == null;
    }

    @Override
    public synchronized List<Long> append(List<NewEvent> events) throws JournalException {
        List<String> json = new ArrayList<>(events.size());
        for (NewEvent event : events) {
            EnvelopeJson.check(event);
            json.add(EnvelopeJson.toJson(event));
        }
        long[] seqs;
        for (int attempt = 1; ; attempt++) {
            AgentClient agent = agent();
            if (agent == null) {
                return direct.append(events);
            }
            try {
                seqs = agent.append(json);
                break;
            } catch (AgentException e) {
                throw new JournalException(e.getMessage(), e);
            } catch (AgentUnavailableException e) {
                drop();
                if (attempt == MAX_ATTEMPTS) {
                    throw new JournalException("the journal agent keeps stopping: " + e.getMessage(), e);
                }
                // not processed: send it to the next agent, or to the queue
            } catch (IOException e) {
                drop();
                // the request was sent and no answer came: the agent may have appended before
                // dying, so retrying could record the events twice
                throw new JournalException("lost the journal agent during an append; the events may or may not be recorded: "
                        + e.getMessage(), e);
            }
        }
        List<Long> out = new ArrayList<>(seqs.length);
        for (long seq : seqs) {
            out.add(seq);
        }
        return out;
    }

    @Override
    public synchronized long read(long afterSeq, Consumer<Envelope> consumer) throws JournalException {
        long[] last = {afterSeq};
        // reads are idempotent: after a broken connection, resume after the last event delivered
        for (int attempt = 1; ; attempt++) {
            AgentClient agent = agent();
            if (agent == null) {
                return direct.read(last[0], envelope -> {
                    consumer.accept(envelope);
                    last[0] = envelope.seq();
                });
            }
            try {
                agent.read(last[0], json -> {
                    Envelope envelope;
                    try {
                        envelope = EnvelopeJson.envelope(json);
                    } catch (JournalException e) {
                        throw new BadEnvelope(e);
                    }
                    consumer.accept(envelope);
                    last[0] = envelope.seq();
                });
                return last[0];
            } catch (BadEnvelope e) {
                drop();
                throw e.error;
            } catch (AgentException e) {
                throw new JournalException(e.getMessage(), e);
            } catch (IOException e) {
                drop();
                if (attempt == MAX_ATTEMPTS) {
                    throw new JournalException("cannot read the journal through its agent: " + e.getMessage(), e);
                }
            }
        }
    }

    /** The agent's client, reconnecting if the connection was lost; null once fallen back. */
    private AgentClient agent() throws JournalException {
        if (closed) {
            throw new JournalException("journal " + dataDir + " is closed");
        }
        if (direct != null) {
            return null;
        }
        if (client != null && client.isConnected()) {
            return client;
        }
        drop();
        client = agentStartCommand == null
                ? AgentClient.connect(dataDir)
                : AgentClient.connectOrStart(dataDir, agentStartCommand, startWait);
        if (client == null) {
            client = JournalConnector.agentInstead(dataDir, agentStartCommand);
        }
        if (client == null) {
            direct = ChronicleJournal.open(Protocol.journalDir(dataDir));
        }
        return client;
    }

    private void drop() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        drop();
        if (direct != null) {
            direct.close();
        }
    }

    /** Carries a malformed envelope out of the client's consumer. */
    private static final class BadEnvelope extends RuntimeException {
        final JournalException error;

        BadEnvelope(JournalException error) {
            super(error.getMessage(), null, false, false);
            this.error = error;
        }
    }
}
