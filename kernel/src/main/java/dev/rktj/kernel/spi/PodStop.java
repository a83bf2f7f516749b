package dev.rktj.kernel.spi;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A request to stop a running pod.
 *
 * @param uuid the pod UUID
 * @param podDir the pod directory
 * @param force kill at once instead of asking the apps to end
 * @param timeout how long to wait after asking before killing
 */
public record PodStop(String uuid, Path podDir, boolean force, Duration timeout) {}
