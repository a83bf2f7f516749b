package dev.rktj.kernel.appc;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An image this image is layered on.
 *
 * @param imageID when given, the dependency fetched must have exactly this ID
 * @param size when given, the dependency's uncompressed size in bytes
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Dependency(String imageName, String imageID, List<Label> labels, Long size) {
    public Dependency {
        labels = Copies.list(labels);
    }
}
