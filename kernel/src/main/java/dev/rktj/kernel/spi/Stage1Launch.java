package dev.rktj.kernel.spi;

import java.nio.file.Path;
import java.util.List;

/**
 * How to start a pod, for a stage1 that can be started by a process other than the one that
 * prepared it ({@link Stage1Capability#LAUNCH}): the journal agent prepares the pod and the thin
 * {@code rkt run} client starts this command with its own standard output and error, so the
 * command must meet the whole {@link Stage1} contract by itself (the flock on the pod's lock file,
 * the status files, private mounts).
 *
 * <p>The pod's exit code is that of the first app that failed (its status file), else 0; when no
 * app left a status file, the command's own exit code.
 *
 * @param command the program and its arguments
 * @param directory the working directory to start it in
 * @param inheritStdin stdin passes through (interactive pods); otherwise {@code /dev/null}
 */
public record Stage1Launch(List<String> command, Path directory, boolean inheritStdin) {
    public Stage1Launch {
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a launch needs a command");
        }
    }
}
