package dev.rktj.kernel.event;

/** One app of a pod ended with this exit code. */
public record AppExited(String pod, String app, int exitCode) implements KernelEvent {}
