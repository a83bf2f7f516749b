package dev.rktj.cli;

import dev.rktj.journal.agent.AgentClient;
import dev.rktj.journal.agent.AgentException;
import dev.rktj.journal.agent.AgentUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code rkt fetch} and {@code rkt prepare} through the journal agent: the agent, warm and
 * compiling with C2, fetches (and prepares); this JVM sends its arguments and copies the agent's
 * output to its own stdout and stderr as it comes (progress bars included when stderr is a
 * terminal). It loads neither PF4J, Jackson, Bouncy Castle nor Vert.x.
 *
 * <p>The agent runs the command only when it would do what this process would: same user (the
 * socket's peer credentials), same mount and network namespaces, same JDK, installation and
 * launcher JVM options; every local file readable to it; and no question about keys to ask on
 * this terminal. Otherwise it declines, having done nothing, and the command runs here. When this
 * process ends mid-fetch, its connection closes and the agent abandons the fetch, storing nothing
 * (docs/design-notes.md, "thin fetch").
 */
final class ThinCommand {

    /** The commands the agent runs this way. */
    static final java.util.Set<String> COMMANDS = java.util.Set.of("fetch", "prepare");

    /** The request word: a NUL first character, which no shell can pass, keeps it out of users' reach. */
    static final String WORD = "\0stream";

    /** Request layout: word, stderr-is-a-terminal, can-ask, environment, then the command line. */
    static final int COMMAND_LINE = 4;

    private ThinCommand() {}

    /**
     * {@code RKTJ_THIN=off} in the environment makes these commands run in-process; {@code required}
     * makes one the agent does not run fail instead. Tests set it to run a command each way on purpose;
     * an environment variable, not a JVM option, because the agent compares those with its own.
     */
    private static final String MODE = "RKTJ_THIN";

    /**
     * The exit code of {@code command} (one of {@link #COMMANDS}), or null when it must run
     * in-process instead.
     */
    static Integer run(Path cwd, Path dataDir, String command, String[] args) {
        String mode = System.getenv().getOrDefault(MODE, "");
        if (mode.equals("off")) {
            return null;
        }
        Integer code = delegate(cwd, dataDir, command, args);
        if (code == null && mode.equals("required")) {
            System.err.println(command + ": the journal agent did not run this command (" + MODE + "=required)");
            return Rkt.EXIT_ERROR;
        }
        return code;
    }

    private static Integer delegate(Path cwd, Path dataDir, String command, String[] args) {
        AgentClient agent = AgentClient.connectThin(dataDir);
        if (agent == null) {
            return null;
        }
        List<String> request = new ArrayList<>(args.length + COMMAND_LINE + 1);
        request.add(WORD);
        request.addAll(facts());
        request.add("--cwd=" + cwd);
        request.addAll(Arrays.asList(args));
        try (agent) {
            return agent.stream(request, System.out, System.err);
        } catch (AgentUnavailableException e) {
            return null; // not taken: running in-process does it once
        } catch (AgentException e) {
            System.err.println(command + ": " + e.getMessage());
            return Rkt.EXIT_ERROR;
        } catch (IOException e) {
            System.err.println(command + ": lost the journal agent while it ran the command: " + e.getMessage());
            return Rkt.EXIT_ERROR;
        }
    }

    /**
     * What the agent must know of this process, as request words 1 to 3 (after the request's own
     * word): whether its stderr is a terminal, whether it could ask a question on its terminal, and
     * its {@link #environment()}. {@link ThinRun}'s requests carry them too.
     */
    static List<String> facts() {
        return List.of(Terminal.stderrIsTerminal() ? "1" : "0", System.console() != null ? "1" : "0", environment());
    }

    /**
     * What must be equal in this process and the agent for a command there to do what it would do
     * here: the user (the agent checks the socket's credentials; its pipes have none, and only
     * its user or root can open them, so the name tells root apart), the mount and network namespaces (which files and hosts a name
     * reaches), the JDK (its trust store), the installation and its build (an agent started
     * before a rebuild runs the old code), and the launcher's extra JVM options (trust stores,
     * hosts files and other system properties). The agent takes its own when it starts.
     */
    static String environment() {
        String home = System.getProperty("rktj.home");
        String build;
        try {
            build = home == null ? "" : Files.getLastModifiedTime(Path.of(home, "lib", "rkt.jar")).toString();
        } catch (IOException e) {
            build = "unknown";
        }
        return System.getProperty("user.name") + '\n' + namespace("mnt") + ' ' + namespace("net") + '\n'
                + System.getProperty("java.home") + '\n' + home + ' ' + build + '\n'
                + System.getenv().getOrDefault("RKTJ_JAVA_OPTS", "");
    }

    private static String namespace(String kind) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns", kind)).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return kind + ":unknown";
        }
    }
}
