package dev.rktj.journal.agent;

import dev.rktj.journal.Journal;
import dev.rktj.journal.JournalException;
import dev.rktj.journal.chronicle.ChronicleJournal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Owns the choice of how a command reaches a data directory's journal: through the agent when one
 * answers or can be started, else by opening the queue itself (slow to open, equally correct:
 * direct writers and the agent interleave under Chronicle's write lock).
 */
public final class JournalConnector {

    private JournalConnector() {}

    /**
     * The journal of {@code dataDir}: through its agent if one answers; else, when
     * {@code agentStartCommand} is not null, through one started with it (waiting up to
     * {@code startWait}); else, or if it still does not answer, the queue opened directly.
     */
    public static Journal open(Path dataDir, List<String> agentStartCommand, Duration startWait) throws JournalException {
        AgentClient client = agentStartCommand == null
                ? AgentClient.connect(dataDir)
                : AgentClient.connectOrStart(dataDir, agentStartCommand, startWait);
        if (client == null) {
            client = agentInstead(dataDir, agentStartCommand);
        }
        if (client != null) {
            return new AgentJournal(dataDir, client, agentStartCommand, startWait);
        }
        return ChronicleJournal.open(Protocol.journalDir(dataDir));
    }

    /** How long a JVM that cannot open the queue itself waits for an agent it started. */
    static final Duration AGENT_REQUIRED_WAIT = Duration.ofSeconds(10);

    /**
     * Null when this JVM can open the queue itself; else an agent, started and waited for, or a
     * {@link JournalException} saying why there is none.
     */
    static AgentClient agentInstead(Path dataDir, List<String> agentStartCommand) throws JournalException {
        if (ChronicleJournal.openableHere()) {
            return null;
        }
        AgentClient client = agentStartCommand == null ? null
                : AgentClient.connectOrStart(dataDir, agentStartCommand, AGENT_REQUIRED_WAIT);
        if (client == null) {
            throw new JournalException("the journal agent of " + dataDir + " does not answer, and this JVM was started "
                    + "without the flags to open the journal itself: run the command again");
        }
        return client;
    }
}
