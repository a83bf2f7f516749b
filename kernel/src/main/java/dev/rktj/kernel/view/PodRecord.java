package dev.rktj.kernel.view;

import dev.rktj.kernel.pod.PodState;
import java.util.List;

/**
 * One pod as the journal tells it.
 *
 * @param uuid the pod UUID
 * @param state current state
 * @param apps the apps, in manifest order, with their exit codes once known
 * @param stage1 the stage1 name
 * @param createdAt PodPrepared time, epoch ms
 * @param startedAt PodStarted time, or 0
 * @param finishedAt PodExited time, or 0
 * @param pid the stage1 pid while running, or 0
 * @param exitCode the pod's exit code, null while running or when unknown
 * @param exitReason why the exit was recorded by reconciliation, or null
 */
public record PodRecord(String uuid, PodState state, List<App> apps, String stage1, long createdAt, long startedAt,
                        long finishedAt, long pid, Integer exitCode, String exitReason) {

    /** One app of the pod. */
    public record App(String name, String imageId, String imageName, Integer exitCode) {
        App withExitCode(int code) {
            return new App(name, imageId, imageName, code);
        }
    }

    PodRecord with(PodState s) {
        return new PodRecord(uuid, s, apps, stage1, createdAt, startedAt, finishedAt, pid, exitCode, exitReason);
    }
}
