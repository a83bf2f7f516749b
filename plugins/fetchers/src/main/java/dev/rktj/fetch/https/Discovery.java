package dev.rktj.fetch.https;

import dev.rktj.kernel.spi.FetchException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * appc discovery of an image name: reads the {@code ac-discovery} and {@code ac-discovery-pubkeys}
 * meta tags of {@code https://{name}?ac-discovery=1}, then of each parent path up to the host.
 * Endpoints and keys are walked for separately; each stops at the deepest level that yields at
 * least one, and a level yields every matching tag in document order (the reference's rules).
 */
final class Discovery {

    /** Gets a discovery page: its body on 200, empty for anything else (a failed level). */
    interface Pages {
        Optional<String> get(String level) throws FetchException;
    }

    /** One image's URLs: the archive ({@code {ext}} = aci) and its signature ({@code aci.asc}). */
    record Endpoint(String aci, String asc) {}

    record Result(List<Endpoint> endpoints, List<String> publicKeys) {}

    private static final Pattern META = Pattern.compile("<meta\\b([^>]*)>", Pattern.CASE_INSENSITIVE);
    private static final Pattern ATTRIBUTE = Pattern.compile(
            "([a-zA-Z_:][-a-zA-Z0-9_:.]*)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s\"'>]+))");
    private static final Pattern UNFILLED = Pattern.compile("\\{[^}]*}");

    private Discovery() {}

    /**
     * @param name the image name (host and path)
     * @param labels the labels asked for ({@code version} defaults to {@code latest})
     */
    static Result discover(String name, Map<String, String> labels, Pages pages) throws FetchException {
        Map<String, List<String[]>> tagsByLevel = new LinkedHashMap<>();
        List<Endpoint> endpoints = List.of();
        List<String> keys = List.of();
        for (String level : levels(name)) {
            List<String[]> tags = tagsByLevel.computeIfAbsent(level, l -> new ArrayList<>());
            Optional<String> page = pages.get(level);
            page.ifPresent(p -> tags.addAll(metaTags(p)));
            if (endpoints.isEmpty()) {
                endpoints = endpoints(name, labels, tags);
            }
            if (keys.isEmpty()) {
                keys = keys(name, tags);
            }
            if (!endpoints.isEmpty() && !keys.isEmpty()) {
                break;
            }
        }
        return new Result(endpoints, keys);
    }

    /** {@code a.com/p/s}, {@code a.com/p}, {@code a.com}. */
    static List<String> levels(String name) {
        List<String> levels = new ArrayList<>();
        String level = name;
        while (true) {
            levels.add(level);
            int slash = level.lastIndexOf('/');
            if (slash <= 0) {
                return levels;
            }
            level = level.substring(0, slash);
        }
    }

    /** The {@code [name, content]} of every meta tag, in document order. */
    static List<String[]> metaTags(String html) {
        List<String[]> tags = new ArrayList<>();
        Matcher m = META.matcher(html);
        while (m.find()) {
            String metaName = null;
            String content = null;
            Matcher a = ATTRIBUTE.matcher(m.group(1));
            while (a.find()) {
                String value = a.group(2) != null ? a.group(2) : a.group(3) != null ? a.group(3) : a.group(4);
                switch (a.group(1).toLowerCase(java.util.Locale.ROOT)) {
                    case "name" -> metaName = value;
                    case "content" -> content = unescape(value);
                    default -> { }
                }
            }
            if (metaName != null && content != null) {
                tags.add(new String[] {metaName, content});
            }
        }
        return tags;
    }

    private static List<Endpoint> endpoints(String name, Map<String, String> labels, List<String[]> tags) {
        List<Endpoint> found = new ArrayList<>();
        for (String template : matching("ac-discovery", name, tags)) {
            String aci = render(template, name, labels, "aci");
            String asc = render(template, name, labels, "aci.asc");
            if (aci != null && asc != null) {
                found.add(new Endpoint(aci, asc));
            }
        }
        return found;
    }

    private static List<String> keys(String name, List<String[]> tags) {
        return matching("ac-discovery-pubkeys", name, tags);
    }

    /** The second field of each tag called {@code metaName} whose prefix (first field) starts {@code name}. */
    private static List<String> matching(String metaName, String name, List<String[]> tags) {
        List<String> values = new ArrayList<>();
        for (String[] tag : tags) {
            if (!tag[0].equals(metaName)) {
                continue;
            }
            String[] fields = tag[1].trim().split("\\s+");
            if (fields.length == 2 && name.startsWith(fields[0])) {
                values.add(fields[1]);
            }
        }
        return values;
    }

    /** The template with its variables filled in, or null when one is left unfilled. */
    static String render(String template, String name, Map<String, String> labels, String ext) {
        String out = template.replace("{name}", name).replace("{ext}", ext);
        Map<String, String> values = new LinkedHashMap<>(labels);
        values.remove("name"); // a label called name never overrides {name}
        values.putIfAbsent("version", "latest");
        for (Map.Entry<String, String> v : values.entrySet()) {
            out = out.replace("{" + v.getKey() + "}", v.getValue());
        }
        return UNFILLED.matcher(out).find() ? null : out;
    }

    private static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&#x27;", "'").replace("&amp;", "&");
    }
}
