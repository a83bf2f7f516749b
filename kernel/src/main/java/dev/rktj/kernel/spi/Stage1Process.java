package dev.rktj.kernel.spi;

/** A started pod, as seen by the stage0 that started it. */
public interface Stage1Process {

    /** The pid of the stage1's top process. */
    long pid();

    /** Waits for the pod to end and returns how each app ended. */
    PodExit waitFor() throws InterruptedException;
}
