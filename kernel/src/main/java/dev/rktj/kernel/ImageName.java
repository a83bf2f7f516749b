package dev.rktj.kernel;

import dev.rktj.kernel.appc.Appc;
import dev.rktj.kernel.image.ImageMatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image name as users write it: {@code name[:version][,label=value...]}.
 *
 * @param name the AC Identifier
 * @param labels the labels asked for, {@code version} included when given
 */
public record ImageName(String name, Map<String, String> labels) {

    public ImageName {
        labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    public static ImageName parse(String s) throws KernelException {
        String[] parts = s.split(",", -1);
        String head = parts[0];
        Map<String, String> labels = new LinkedHashMap<>();
        int colon = head.lastIndexOf(':');
        String name = head;
        if (colon >= 0) {
            name = head.substring(0, colon);
            labels.put("version", head.substring(colon + 1));
        }
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new KernelException("invalid image name \"" + s + "\": label \"" + parts[i] + "\" is not name=value");
            }
            String label = parts[i].substring(0, eq);
            if (labels.put(label, parts[i].substring(eq + 1)) != null) {
                throw new KernelException("invalid image name \"" + s + "\": label \"" + label + "\" is given twice");
            }
        }
        if (name.isEmpty()) {
            throw new KernelException("invalid image name \"" + s + "\"");
        }
        if (!Appc.isAcIdentifier(name)) {
            throw new KernelException("invalid image name \"" + s + "\": \"" + name
                    + "\" is not an AC Identifier (lowercase letters, digits and -._~/ between them)");
        }
        return new ImageName(name, labels);
    }

    /**
     * What a store lookup for this name searched for, in rkt's words: {@code name: "N" and labels:
     * ["version":"1", "os":"linux", ...]}, the host's os and arch included where the name gave none.
     */
    public String describe() {
        Map<String, String> wanted = ImageMatch.wanted(labels);
        List<String> ordered = new ArrayList<>();
        for (String first : List.of("version", "os", "arch")) {
            if (wanted.containsKey(first)) {
                ordered.add(first);
            }
        }
        wanted.keySet().stream().filter(k -> !ordered.contains(k)).sorted().forEach(ordered::add);
        List<String> shown = new ArrayList<>();
        for (String k : ordered) {
            shown.add(quote(k) + ":" + quote(wanted.get(k)));
        }
        return "name: " + quote(name) + " and labels: [" + String.join(", ", shown) + "]";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
