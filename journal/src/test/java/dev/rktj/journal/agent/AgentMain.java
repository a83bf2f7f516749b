package dev.rktj.journal.agent;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A child-process agent for tests: {@code <dataDir> <idleMillis>}. Records its pid under
 * {@code <dataDir>/pids/} so the test can make sure it ends; echoes EXEC arguments.
 */
public final class AgentMain {

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        Path pids = Files.createDirectories(dataDir.resolve("pids"));
        Files.createFile(pids.resolve(Long.toString(ProcessHandle.current().pid())));
        int exit = AgentServer.run(dataDir, journal -> command -> new ExecResult(command.size(),
                String.join(" ", command).getBytes(StandardCharsets.UTF_8), new byte[0]),
                Duration.ofMillis(Long.parseLong(args[1])));
        System.exit(exit);
    }
}
