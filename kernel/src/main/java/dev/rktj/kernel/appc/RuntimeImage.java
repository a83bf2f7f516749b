package dev.rktj.kernel.appc;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The image of a pod app; {@code id} is required once the pod manifest is reified. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record RuntimeImage(String id, String name, List<Label> labels) {
    public RuntimeImage {
        labels = Copies.list(labels);
    }
}
