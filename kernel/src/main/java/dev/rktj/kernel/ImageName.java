package dev.rktj.kernel;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An image name as users write it: {@code name[:version][,label=value...]}.
 *
 * @param name the AC Identifier
 * @param labels the labels asked for, {@code version} included when given
 */
public record ImageName(String name, Map<String, String> labels) {

    public static ImageName parse(String s) throws KernelException {
        String[] parts = s.split(",");
        String head = parts[0];
        Map<String, String> labels = new LinkedHashMap<>();
        int colon = head.lastIndexOf(':');
        String name = head;
        if (colon > 0) {
            name = head.substring(0, colon);
            labels.put("version", head.substring(colon + 1));
        }
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new KernelException("invalid image name \"" + s + "\": label \"" + parts[i] + "\" is not name=value");
            }
            labels.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        if (name.isEmpty()) {
            throw new KernelException("invalid image name \"" + s + "\"");
        }
        return new ImageName(name, labels);
    }
}
