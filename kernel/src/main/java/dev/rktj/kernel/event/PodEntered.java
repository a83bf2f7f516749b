package dev.rktj.kernel.event;

import java.util.List;

/** {@code rkt enter} ran {@code command} in app {@code app} of a running pod, as asked by {@code user} ({@code name(uid)}). */
public record PodEntered(String pod, String app, List<String> command, String user) implements KernelEvent {
    public PodEntered {
        command = command == null ? List.of() : List.copyOf(command);
    }
}
