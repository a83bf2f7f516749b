package dev.rktj.journal.agent;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * A thin client for tests: {@code <dataDir> args...}; runs the arguments in the agent, prints
 * what it answers and exits with its code, as a read-only CLI command would. Exits 99 when no
 * agent answers.
 */
public final class ExecMain {

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        AgentClient client = AgentClient.connect(Path.of(args[0]));
        if (client == null) {
            System.exit(99);
        }
        ExecResult result = client.exec(Arrays.asList(args).subList(1, args.length));
        client.close();
        System.out.write(result.stdout());
        System.out.flush();
        System.err.write(result.stderr());
        System.err.flush();
        if (System.getProperty("execmain.timing") != null) {
            System.err.print("in-main-us=" + (System.nanoTime() - start) / 1000);
        }
        System.exit(result.exitCode());
    }
}
