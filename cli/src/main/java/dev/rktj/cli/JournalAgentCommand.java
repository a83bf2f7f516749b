package dev.rktj.cli;

import dev.rktj.journal.Journal;
import dev.rktj.journal.agent.AgentHandler;
import dev.rktj.journal.agent.AgentServer;
import dev.rktj.journal.agent.ExecResult;
import dev.rktj.kernel.JournalSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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

    /** Answers each request by running the command in-process against the agent's journal session. */
    static AgentHandler handler(Journal journal) {
        JournalSession session = new JournalSession(journal);
        return args -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintWriter o = new PrintWriter(out, true, StandardCharsets.UTF_8);
            PrintWriter e = new PrintWriter(err, true, StandardCharsets.UTF_8);
            int code = Rkt.execute(args.toArray(String[]::new), Path.of("/"), session, o, e);
            o.flush();
            e.flush();
            return new ExecResult(code, out.toByteArray(), err.toByteArray());
        };
    }

    @Override
    public Integer call() {
        Path dataDir = DataDirs.canonical(rkt().cwd(), rkt().dir);
        Duration idleFor = Durations.parse(System.getenv().getOrDefault("RKTJ_AGENT_IDLE", idle));
        return AgentServer.run(dataDir, JournalAgentCommand::handler, idleFor);
    }
}
