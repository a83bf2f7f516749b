package dev.rktj.kernel.event;

/** {@code rkt rm} deleted a pod. */
public record PodRemoved(String pod) implements KernelEvent {}
