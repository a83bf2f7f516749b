package dev.rktj.kernel.spi;

import java.util.Map;

/**
 * How a pod ended.
 *
 * @param exitCode the exit code {@code rkt run} returns
 * @param appExitCodes each app's exit code, for the apps that left one
 */
public record PodExit(int exitCode, Map<String, Integer> appExitCodes) {
    public PodExit {
        appExitCodes = Map.copyOf(appExitCodes);
    }
}
