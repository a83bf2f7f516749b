package dev.rktj.kernel.spi;

import java.nio.file.Path;

/**
 * A request to release what a stage1 holds for an exited pod, before the kernel deletes it.
 *
 * @param uuid the pod UUID
 * @param podDir the pod directory
 */
public record PodGc(String uuid, Path podDir) {}
