package dev.rktj.kernel.appc;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** How to run an image: the execution part of an image manifest, or a pod app's override of it. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record App(
        List<String> exec,
        String user,
        String group,
        List<Integer> supplementaryGIDs,
        List<EventHandler> eventHandlers,
        String workingDirectory,
        List<EnvVar> environment,
        List<Isolator> isolators,
        List<MountPoint> mountPoints,
        List<Port> ports,
        Map<String, String> userAnnotations,
        Map<String, String> userLabels) {

    public App {
        exec = Copies.list(exec);
        supplementaryGIDs = Copies.list(supplementaryGIDs);
        eventHandlers = Copies.list(eventHandlers);
        environment = Copies.list(environment);
        isolators = Copies.list(isolators);
        mountPoints = Copies.list(mountPoints);
        ports = Copies.list(ports);
        userAnnotations = Copies.map(userAnnotations);
        userLabels = Copies.map(userLabels);
    }
}
