package dev.rktj.kernel.event;

/** A prepare failed after its pod directory existed. */
public record PodPrepareAborted(String pod, String reason) implements KernelEvent {}
