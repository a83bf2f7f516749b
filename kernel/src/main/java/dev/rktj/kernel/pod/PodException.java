package dev.rktj.kernel.pod;

import dev.rktj.kernel.KernelException;

/** A pod operation was refused or failed; one line for the user. */
public class PodException extends KernelException {
    public PodException(String message) {
        super(message);
    }

    public PodException(String message, Throwable cause) {
        super(message, cause);
    }
}
