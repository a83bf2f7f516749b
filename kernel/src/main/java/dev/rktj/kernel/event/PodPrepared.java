package dev.rktj.kernel.event;

import java.util.List;

/** A pod was prepared: its manifest is written and it sits in {@code pods/prepared} (or goes straight on to run). */
public record PodPrepared(String pod, List<App> apps, String stage1) implements KernelEvent {

    /** One app of the pod. */
    public record App(String name, String imageId, String imageName) {}
}
