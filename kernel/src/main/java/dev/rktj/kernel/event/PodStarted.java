package dev.rktj.kernel.event;

/** The stage1 started the pod. */
public record PodStarted(String pod, long pid, String stage1) implements KernelEvent {}
