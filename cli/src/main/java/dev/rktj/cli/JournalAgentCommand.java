package dev.rktj.cli;

import dev.rktj.journal.agent.AgentServer;
import dev.rktj.kernel.JournalSession;
import dev.rktj.kernel.KernelConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rkt journal-agent} (hidden): the resident process that owns the journal of one data
 * directory and answers read-only commands from its folded views (DESIGN.md, process model).
 */
@Command(name = "journal-agent", hidden = true, description = "Serve the journal of a data directory (started on demand)")
final class JournalAgentCommand extends Sub implements Callable<Integer> {

    @Option(names = "--idle", defaultValue = "10m", description = "exit after this long without a request (default: ${DEFAULT-VALUE})")
    String idle;

    @Override
    public Integer call() throws Exception {
        Path dataDir = DataDirs.canonical(rkt().cwd(), rkt().dir);
        Duration idleFor = Durations.parse(System.getenv().getOrDefault("RKTJ_AGENT_IDLE", idle));
        KernelConfig config = rkt().config();
        return AgentServer.run(dataDir, journal -> {
            AgentCommands commands = new AgentCommands(dataDir, new JournalSession(journal));
            commands.warmUp(config);
            return commands;
        }, idleFor);
    }
}
