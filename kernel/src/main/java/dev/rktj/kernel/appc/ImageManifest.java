package dev.rktj.kernel.appc;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image's manifest ({@code acKind: ImageManifest}). Absent lists read as empty; {@code app}
 * is null for images that only carry files (stage1s, dependencies).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageManifest(
        String acKind,
        String acVersion,
        String name,
        List<Label> labels,
        App app,
        List<Annotation> annotations,
        List<Dependency> dependencies,
        List<String> pathWhitelist) {

    public static final String KIND = "ImageManifest";

    public ImageManifest {
        labels = Copies.list(labels);
        annotations = Copies.list(annotations);
        dependencies = Copies.list(dependencies);
        pathWhitelist = Copies.list(pathWhitelist);
    }

    /** The value of the label called {@code name}, or null. */
    public String label(String name) {
        for (Label label : labels) {
            if (label != null && name.equals(label.name())) {
                return label.value();
            }
        }
        return null;
    }

    /** The labels by name, in manifest order. */
    public Map<String, String> labelMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (Label label : labels) {
            map.put(label.name(), label.value());
        }
        return map;
    }

    /** The value of the annotation called {@code name}, or null. */
    public String annotation(String name) {
        for (Annotation annotation : annotations) {
            if (annotation != null && name.equals(annotation.name())) {
                return annotation.value();
            }
        }
        return null;
    }
}
