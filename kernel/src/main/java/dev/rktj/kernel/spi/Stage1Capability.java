package dev.rktj.kernel.spi;

/** Features a stage1 may declare; the kernel refuses a request needing one the stage1 lacks. */
public enum Stage1Capability {
    /** More than one app per pod. */
    MULTI_APP,
    /** Pid, ipc and uts isolation. */
    PID_NAMESPACE,
    PRIVATE_NETWORK,
    INTERACTIVE,
    ENTER,
    STOP,
    VOLUMES,
    PORTS,
    ISOLATORS,
    /** {@link Stage1#launch} describes the pod's start, so a thin client can start it (a fast {@code rkt run}). */
    LAUNCH
}
