package dev.rktj.kernel.appc;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One app of a pod.
 *
 * @param app replaces the image's app section when present
 * @param mounts {@code {volume, path, appVolume}} objects, kept as JSON for the pod layer to read
 * @param annotations merged over the image's annotations; these win
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record RuntimeApp(
        String name,
        RuntimeImage image,
        App app,
        Boolean readOnlyRootFS,
        List<JsonNode> mounts,
        List<Annotation> annotations) {

    public RuntimeApp {
        mounts = Copies.list(mounts);
        annotations = Copies.list(annotations);
    }
}
