package dev.rktj.kernel.event;

/**
 * The journal disagreed with the disk and was corrected: the event that follows it states the
 * recovered fact (a {@link PodExited} or {@link PodPrepareAborted}).
 */
public record StateReconciled(String pod, String from, String to, String reason) implements KernelEvent {}
