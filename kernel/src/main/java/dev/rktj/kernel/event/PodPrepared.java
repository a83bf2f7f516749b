package dev.rktj.kernel.event;

import java.util.List;

/** A pod was prepared: its manifest is written and it sits in {@code pods/prepared} (or goes straight on to run). */
public record PodPrepared(String pod, List<App> apps, String stage1) implements KernelEvent {

    /**
     * One app of the pod.
     *
     * @param treeSize bytes of the image's rendered tree the app runs from (0 in events written
     *     before the field existed), so that {@code image list} counts it without walking the tree
     */
    public record App(String name, String imageId, String imageName, long treeSize) {
        public App(String name, String imageId, String imageName) {
            this(name, imageId, imageName, 0);
        }
    }
}
