package dev.rktj.cli;

import dev.rktj.journal.agent.AgentClient;
import dev.rktj.journal.agent.ExecResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The entry point: answers read-only commands through the journal agent when one is up (this
 * path loads neither picocli, Jackson nor Chronicle), has the agent run {@code rkt fetch} and
 * {@code rkt prepare} ({@link ThinCommand}), starts the pod of a {@code rkt run} the agent prepared ({@link ThinRun}),
 * and runs every other command in-process.
 */
public final class Main {

    /** Commands whose whole answer the agent can give. */
    private static final Set<String> READ_ONLY = Set.of("list", "status", "history", "image list");

    private Main() {}

    public static void main(String[] args) {
        Path cwd = Path.of("").toAbsolutePath();
        Head head = Head.of(args);
        if ("version".equals(head.command) && !head.help) {
            // answered here: nothing about the version needs picocli
            System.out.print(VersionCommand.text());
            System.exit(0);
            return;
        }
        if (head.command != null && READ_ONLY.contains(head.command) && !head.help) {
            Path dataDir = DataDirs.canonical(cwd, head.dataDir);
            try (AgentClient agent = AgentClient.connectThin(dataDir)) {
                if (agent != null) {
                    List<String> forward = new ArrayList<>(args.length + 1);
                    forward.add("--cwd=" + cwd);
                    forward.addAll(List.of(args));
                    ExecResult r = agent.exec(forward);
                    System.out.write(r.stdout());
                    System.out.flush();
                    System.err.write(r.stderr());
                    System.err.flush();
                    System.exit(r.exitCode());
                    return;
                }
            } catch (IOException e) {
                // the agent went away mid-answer: answer from the journal directly
            }
        }
        if (head.command != null && ThinCommand.COMMANDS.contains(head.command) && !head.help) {
            Integer code = ThinCommand.run(cwd, DataDirs.canonical(cwd, head.dataDir), head.command, args);
            if (code != null) {
                System.exit(code);
                return;
            }
        }
        if ("run".equals(head.command) && !head.help) {
            Integer code = ThinRun.run(cwd, DataDirs.canonical(cwd, head.dataDir), args);
            if (code != null) {
                System.exit(code);
                return;
            }
        }
        System.exit(Rkt.execute(args, cwd, null));
    }

    /** Global options and the command words, found without picocli. */
    static final class Head {
        String command;
        String dataDir = DataDirs.DEFAULT;
        boolean help;

        static Head of(String[] args) {
            Head h = new Head();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--")) {
                    break;
                }
                if (a.startsWith("--dir=")) {
                    h.dataDir = a.substring("--dir=".length());
                } else if (a.equals("--dir") && i + 1 < args.length) {
                    h.dataDir = args[++i];
                } else if (a.equals("-h") || a.equals("--help") || a.equals("help")) {
                    h.help = true;
                } else if (!a.startsWith("-") && h.command == null) {
                    h.command = a;
                    if (a.equals("image") && i + 1 < args.length && !args[i + 1].startsWith("-")) {
                        h.command = "image " + args[++i];
                    }
                } else if (a.startsWith("--") && !a.contains("=") && takesValue(a) && i + 1 < args.length) {
                    i++;
                }
            }
            return h;
        }

        private static boolean takesValue(String flag) {
            return flag.equals("--local-config") || flag.equals("--system-config") || flag.equals("--user-config")
                    || flag.equals("--insecure-options") || flag.equals("--plugins-dir");
        }
    }
}
