package dev.rktj.kernel.pod;

/** The states a pod goes through, named as rkt prints them. */
public enum PodState {
    PREPARED("prepared"),
    RUNNING("running"),
    EXITED("exited"),
    EXITED_GARBAGE("exited garbage"),
    ABORTED_PREPARE("aborted prepare"),
    GARBAGE("garbage");

    private final String text;

    PodState(String text) {
        this.text = text;
    }

    /** The word rkt prints for this state. */
    public String text() {
        return text;
    }

    /** States after which the pod has stopped running for good. */
    public boolean isFinished() {
        return this == EXITED || this == EXITED_GARBAGE || this == ABORTED_PREPARE || this == GARBAGE;
    }
}
