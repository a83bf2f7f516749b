package dev.rktj.kernel.spi;

import org.pf4j.ExtensionPoint;

/**
 * A stage1 isolator: takes a prepared pod and runs its apps.
 *
 * <p>Contract with stage0 (the kernel):
 * <ul>
 *   <li>{@link #run} starts the pod and returns at once. The process it starts must hold an
 *       exclusive flock(2) on {@link PodRun#lockFile()} for as long as any process of the pod
 *       lives, surviving the death of the calling JVM (util-linux {@code flock FILE CMD} does this).
 *       The kernel treats a free lock on a running pod as "exited".</li>
 *   <li>Once the app runs, the stage1 writes {@code <podDir>/pid} (the pid to enter) or
 *       {@code <podDir>/ppid} (a process whose single child is the app), as rkt does.</li>
 *   <li>When an app ends, the stage1 writes its decimal exit code to
 *       {@link PodRun#statusDir()}{@code /<app>} (rkt's {@code rkt/status/<app>}), from the pod's
 *       own processes, so the code survives a killed stage0.</li>
 *   <li>Nothing a stage1 mounts may propagate to the host: mounts go in a private namespace.</li>
 * </ul>
 */
public interface Stage1 extends ExtensionPoint {

    /** Name, version and what this stage1 can do. */
    Stage1Info info();

    /** Starts the pod; the returned process is waited on by stage0 when it stays attached. */
    Stage1Process run(PodRun request) throws Stage1Exception;

    /**
     * Describes how to start the pod instead of starting it, for stage1s with
     * {@link Stage1Capability#LAUNCH}: whoever starts {@link Stage1Launch#command()} runs the pod
     * exactly as {@link #run} would have.
     */
    default Stage1Launch launch(PodRun request) throws Stage1Exception {
        throw new Stage1Exception("stage1 " + info().name() + " can only start pods itself");
    }

    /** Runs a command inside a running pod; returns its exit status. */
    int enter(PodEnter request) throws Stage1Exception;

    /** Stops a running pod. */
    void stop(PodStop request) throws Stage1Exception;

    /** Releases what the stage1 holds for an exited pod; idempotent. */
    void gc(PodGc request) throws Stage1Exception;
}
