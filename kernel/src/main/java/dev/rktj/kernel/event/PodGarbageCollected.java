package dev.rktj.kernel.event;

/** gc deleted a pod. */
public record PodGarbageCollected(String pod) implements KernelEvent {}
