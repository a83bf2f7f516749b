package dev.rktj.kernel.event;

/**
 * {@code rkt stop} asked the pod's stage1 to stop it (with {@code force}: to kill it at once); the
 * outcome is the {@link PodExited} that follows. {@code user} is who asked ({@code name(uid)}).
 */
public record PodStopRequested(String pod, boolean force, String user) implements KernelEvent {}
