package dev.rktj.kernel.appc;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A pod's manifest ({@code acKind: PodManifest}).
 *
 * @param ports {@code {name, hostPort, hostIP, podPort}} objects, kept as JSON for the pod layer
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record PodManifest(
        String acVersion,
        String acKind,
        @JsonInclude(JsonInclude.Include.ALWAYS) List<RuntimeApp> apps,
        List<Volume> volumes,
        List<Isolator> isolators,
        List<Annotation> annotations,
        List<JsonNode> ports,
        Map<String, String> userAnnotations,
        Map<String, String> userLabels) {

    public static final String KIND = "PodManifest";

    public PodManifest {
        apps = Copies.list(apps);
        volumes = Copies.list(volumes);
        isolators = Copies.list(isolators);
        annotations = Copies.list(annotations);
        ports = Copies.list(ports);
        userAnnotations = Copies.map(userAnnotations);
        userLabels = Copies.map(userLabels);
    }
}
