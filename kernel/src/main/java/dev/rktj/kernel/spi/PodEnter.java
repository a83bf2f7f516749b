package dev.rktj.kernel.spi;

import java.nio.file.Path;
import java.util.List;

/**
 * A request to run a command inside a running pod.
 *
 * @param uuid the pod UUID
 * @param podDir the pod directory
 * @param app the app to enter
 * @param pid the pid the stage1 recorded in {@code <podDir>/pid}
 * @param command argv
 */
public record PodEnter(String uuid, Path podDir, String app, long pid, List<String> command) {
    public PodEnter {
        command = List.copyOf(command);
    }
}
