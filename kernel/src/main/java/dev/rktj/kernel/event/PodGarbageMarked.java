package dev.rktj.kernel.event;

/**
 * gc moved a pod to a garbage directory.
 *
 * @param from the state it left ({@code exited}, {@code aborted prepare}, {@code prepared})
 */
public record PodGarbageMarked(String pod, String from) implements KernelEvent {}
