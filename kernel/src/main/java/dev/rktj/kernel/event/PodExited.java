package dev.rktj.kernel.event;

/**
 * A pod ended.
 *
 * @param exitCode what {@code rkt run} returned, or null when unknown
 * @param reason null for a normal end, else why the code is unknown or was recovered ({@code stage0 lost})
 */
public record PodExited(String pod, Integer exitCode, String reason) implements KernelEvent {}
