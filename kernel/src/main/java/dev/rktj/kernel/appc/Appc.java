package dev.rktj.kernel.appc;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URI;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The appc rules: the shared JSON mapper, manifest parsing, validation, and the name grammars. */
public final class Appc {

    /** The host's OS as appc spells it ({@code linux}, {@code freebsd}, {@code darwin}). */
    public static final String HOST_OS = appcOs(System.getProperty("os.name", ""));

    /** The host's architecture as appc spells it for {@link #HOST_OS} ({@code amd64}, {@code aarch64}, ...). */
    public static final String HOST_ARCH = appcArch(HOST_OS, System.getProperty("os.arch", ""));

    private static final Pattern AC_IDENTIFIER = Pattern.compile("[a-z0-9]+([-._~/][a-z0-9]+)*");
    private static final Pattern AC_NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z_0-9.-]*");
    private static final String SEMVER_NUMBER = "(0|[1-9][0-9]*)";
    private static final String SEMVER_PRERELEASE_ID = "(0|[1-9][0-9]*|[0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*)";
    private static final Pattern SEMVER = Pattern.compile(
            SEMVER_NUMBER + "\\." + SEMVER_NUMBER + "\\." + SEMVER_NUMBER
                    + "(-" + SEMVER_PRERELEASE_ID + "(\\." + SEMVER_PRERELEASE_ID + ")*)?"
                    + "(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?");

    // Insertion order is the order the messages list them in.
    private static final Map<String, List<String>> OS_ARCHES = Map.of(
            "linux", List.of("amd64", "i386", "aarch64", "aarch64_be", "armv6l", "armv7l", "armv7b", "ppc64", "ppc64le", "s390x"),
            "freebsd", List.of("amd64", "i386", "arm"),
            "darwin", List.of("x86_64", "i386"));
    private static final List<String> OSES = List.of("linux", "freebsd", "darwin");

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // Go's encoding/json matches keys case-insensitively; the spec's own example writes supplementaryGids.
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            // Go refuses 5 for a string field and "5" for a number; so do we.
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(LogicalType.Textual, config -> config
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            // Parse errors reach the user as one line; no snippet of the document in them.
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private Appc() {}

    /** The mapper every appc document is read and written with; do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Parses and validates an image manifest. */
    public static ImageManifest parseImageManifest(byte[] json) throws AppcException {
        ImageManifest manifest = parse(json, ImageManifest.class, "image manifest");
        validate(manifest);
        return manifest;
    }

    /** Parses and validates a pod manifest. */
    public static PodManifest parsePodManifest(byte[] json) throws AppcException {
        PodManifest manifest = parse(json, PodManifest.class, "pod manifest");
        validate(manifest);
        return manifest;
    }

    /** The JSON of a manifest (or any schema record), as written to disk and served. */
    public static byte[] toJson(Object manifest) {
        try {
            return MAPPER.writeValueAsBytes(manifest);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + manifest.getClass().getSimpleName(), e);
        }
    }

    public static boolean isAcName(String s) {
        return s != null && AC_NAME.matcher(s).matches();
    }

    public static boolean isAcIdentifier(String s) {
        return s != null && AC_IDENTIFIER.matcher(s).matches();
    }

    public static void checkAppName(String name) throws AppcException {
        if (!isAcName(name)) {
            throw new AppcException("invalid app name " + quote(name) + ": must be an AC Name (lowercase letters, digits, dashes)");
        }
    }

    /** The architectures appc allows for {@code os}, or an empty list for an unknown os. */
    public static List<String> arches(String os) {
        return OS_ARCHES.getOrDefault(os, List.of());
    }

    public static void validate(ImageManifest m) throws AppcException {
        Check c = new Check("image manifest: ");
        if (!ImageManifest.KIND.equals(m.acKind())) {
            throw c.fail("missing or bad acKind (must be \"ImageManifest\")");
        }
        checkVersion(c, m.acVersion());
        if (m.name() == null || m.name().isEmpty()) {
            throw c.fail("missing name");
        }
        if (!isAcIdentifier(m.name())) {
            throw c.fail("name " + quote(m.name()) + " is not an AC Identifier");
        }
        checkLabels(c, "label", m.labels());
        checkOsArch(c, m.label("os"), m.label("arch"));
        if (m.app() != null) {
            checkApp(new Check(c.prefix, "app."), m.app());
        }
        checkAnnotations(c, m.annotations());
        for (Dependency d : m.dependencies()) {
            if (d == null) {
                throw c.fail("null dependency");
            }
            if (!isAcIdentifier(d.imageName())) {
                throw c.fail("dependency imageName " + quote(d.imageName()) + " is not an AC Identifier");
            }
            checkLabels(c, "dependency " + quote(d.imageName()) + " label", d.labels());
            if (d.size() != null && d.size() < 0) {
                throw c.fail("dependency " + quote(d.imageName()) + " has a negative size");
            }
        }
        for (String path : m.pathWhitelist()) {
            if (path == null || !path.startsWith("/")) {
                throw c.fail("pathWhitelist entry " + quote(path) + " is not an absolute path");
            }
        }
    }

    public static void validate(PodManifest m) throws AppcException {
        Check c = new Check("pod manifest: ");
        if (!PodManifest.KIND.equals(m.acKind())) {
            throw c.fail("missing or bad acKind (must be \"PodManifest\")");
        }
        checkVersion(c, m.acVersion());
        Set<String> appNames = new HashSet<>();
        for (RuntimeApp app : m.apps()) {
            if (app == null) {
                throw c.fail("null app");
            }
            if (!isAcName(app.name())) {
                throw c.fail("app name " + quote(app.name()) + " is not an AC Name (lowercase letters, digits, dashes)");
            }
            if (!appNames.add(app.name())) {
                throw c.fail("duplicate app name " + quote(app.name()));
            }
            Check ac = new Check(c.prefix + "app " + quote(app.name()) + ": ");
            RuntimeImage image = app.image();
            if (image != null) {
                if (image.name() != null && !isAcIdentifier(image.name())) {
                    throw ac.fail("image name " + quote(image.name()) + " is not an AC Identifier");
                }
                checkLabels(ac, "image label", image.labels());
            }
            if (app.app() != null) {
                checkApp(new Check(ac.prefix, "app."), app.app());
            }
            for (JsonNode mount : app.mounts()) {
                String volume = mount == null ? null : mount.path("volume").asText(null);
                if (!isAcName(volume)) {
                    throw ac.fail("mount volume " + quote(volume) + " is not an AC Name");
                }
                if (mount.path("path").asText("").isEmpty()) {
                    throw ac.fail("mount of volume " + quote(volume) + " has no path");
                }
            }
            checkAnnotations(ac, app.annotations());
        }
        Set<String> volumeNames = new HashSet<>();
        for (Volume v : m.volumes()) {
            if (v == null) {
                throw c.fail("null volume");
            }
            if (!isAcName(v.name())) {
                throw c.fail("volume name " + quote(v.name()) + " is not an AC Name");
            }
            if (!volumeNames.add(v.name())) {
                throw c.fail("duplicate volume " + quote(v.name()));
            }
            if ("host".equals(v.kind())) {
                if (v.source() == null || !v.source().startsWith("/")) {
                    throw c.fail("host volume " + quote(v.name()) + " needs an absolute source path");
                }
            } else if ("empty".equals(v.kind())) {
                if (v.mode() != null && !v.mode().matches("0?[0-7]{1,4}")) {
                    throw c.fail("empty volume " + quote(v.name()) + " has a bad mode " + quote(v.mode()));
                }
            } else {
                throw c.fail("volume " + quote(v.name()) + " has a bad kind " + quote(v.kind()) + " (must be \"host\" or \"empty\")");
            }
        }
        checkIsolators(c, m.isolators());
        checkAnnotations(c, m.annotations());
    }

    private static void checkVersion(Check c, String version) throws AppcException {
        if (version == null || version.isEmpty()) {
            throw c.fail("missing acVersion");
        }
        if (!SEMVER.matcher(version).matches() || version.equals("0.0.0")) {
            throw c.fail("bad acVersion " + quote(version) + " (must be a SemVer 2.0.0 version)");
        }
    }

    private static void checkLabels(Check c, String what, List<Label> labels) throws AppcException {
        Set<String> seen = new HashSet<>();
        for (Label label : labels) {
            if (label == null) {
                throw c.fail("null " + what);
            }
            if (!isAcIdentifier(label.name())) {
                throw c.fail(what + " name " + quote(label.name()) + " is not an AC Identifier");
            }
            // "name" would shadow the image name in discovery templates.
            if (label.name().equals("name")) {
                throw c.fail(what + " \"name\" is not allowed");
            }
            if (!seen.add(label.name())) {
                throw c.fail("duplicate " + what + " " + quote(label.name()));
            }
            if (label.value() == null) {
                throw c.fail(what + " " + quote(label.name()) + " has no value");
            }
        }
    }

    private static void checkOsArch(Check c, String os, String arch) throws AppcException {
        if (os == null) {
            return;
        }
        List<String> arches = OS_ARCHES.get(os);
        if (arches == null) {
            throw c.fail("bad os " + quote(os) + " (must be one of: " + String.join(", ", OSES) + ")");
        }
        if (arch != null && !arches.contains(arch)) {
            throw c.fail("bad arch " + quote(arch) + " for " + os + " (must be one of: " + String.join(", ", arches) + ")");
        }
    }

    private static void checkApp(Check c, App app) throws AppcException {
        if (app.user() == null || app.user().isEmpty()) {
            throw c.fail(c.field("user") + " is required");
        }
        if (app.group() == null || app.group().isEmpty()) {
            throw c.fail(c.field("group") + " is required");
        }
        for (String arg : app.exec()) {
            if (arg == null) {
                throw c.fail(c.field("exec") + " has a null argument");
            }
        }
        Set<String> handlers = new HashSet<>();
        for (EventHandler h : app.eventHandlers()) {
            if (h == null) {
                throw c.fail("null event handler");
            }
            if (!"pre-start".equals(h.name()) && !"post-stop".equals(h.name())) {
                throw c.fail("bad event handler " + quote(h.name()) + " (must be \"pre-start\" or \"post-stop\")");
            }
            if (!handlers.add(h.name())) {
                throw c.fail("duplicate event handler " + quote(h.name()));
            }
        }
        String wd = app.workingDirectory();
        if (wd != null && !wd.isEmpty() && !wd.startsWith("/")) {
            throw c.fail(c.field("workingDirectory") + " " + quote(wd) + " is not an absolute path");
        }
        Set<String> env = new HashSet<>();
        for (EnvVar e : app.environment()) {
            if (e == null) {
                throw c.fail("null environment variable");
            }
            if (e.name() == null || !ENV_NAME.matcher(e.name()).matches()) {
                throw c.fail("bad environment variable name " + quote(e.name()));
            }
            if (!env.add(e.name())) {
                throw c.fail("duplicate environment variable " + quote(e.name()));
            }
        }
        checkIsolators(c, app.isolators());
        Set<String> mountPoints = new HashSet<>();
        for (MountPoint mp : app.mountPoints()) {
            if (mp == null) {
                throw c.fail("null mount point");
            }
            if (!isAcName(mp.name())) {
                throw c.fail("mount point name " + quote(mp.name()) + " is not an AC Name");
            }
            if (!mountPoints.add(mp.name())) {
                throw c.fail("duplicate mount point " + quote(mp.name()));
            }
            if (mp.path() == null || mp.path().isEmpty()) {
                throw c.fail("mount point " + quote(mp.name()) + " has no path");
            }
        }
        Set<String> ports = new HashSet<>();
        for (Port p : app.ports()) {
            if (p == null) {
                throw c.fail("null port");
            }
            if (!isAcName(p.name())) {
                throw c.fail("port name " + quote(p.name()) + " is not an AC Name");
            }
            if (!ports.add(p.name())) {
                throw c.fail("duplicate port " + quote(p.name()));
            }
            if (p.protocol() == null || p.protocol().isEmpty()) {
                throw c.fail("port " + quote(p.name()) + " has no protocol");
            }
            int port = p.port() == null ? 0 : p.port();
            if (port < 1 || port > 65535) {
                throw c.fail("port " + quote(p.name()) + ": " + port + " is out of range (1-65535)");
            }
            int count = p.count() == null ? 1 : p.count();
            if (count < 1) {
                throw c.fail("port " + quote(p.name()) + ": count " + count + " must be at least 1");
            }
            if ((long) port + count > 65536) {
                throw c.fail("port " + quote(p.name()) + ": " + port + "+" + count + " goes past 65535");
            }
        }
    }

    private static void checkIsolators(Check c, List<Isolator> isolators) throws AppcException {
        for (Isolator i : isolators) {
            if (i == null) {
                throw c.fail("null isolator");
            }
            if (!isAcIdentifier(i.name())) {
                throw c.fail("isolator name " + quote(i.name()) + " is not an AC Identifier");
            }
        }
    }

    private static void checkAnnotations(Check c, List<Annotation> annotations) throws AppcException {
        Set<String> seen = new HashSet<>();
        for (Annotation a : annotations) {
            if (a == null) {
                throw c.fail("null annotation");
            }
            if (!isAcIdentifier(a.name())) {
                throw c.fail("annotation name " + quote(a.name()) + " is not an AC Identifier");
            }
            if (!seen.add(a.name())) {
                throw c.fail("duplicate annotation " + quote(a.name()));
            }
            if (a.value() == null) {
                throw c.fail("annotation " + quote(a.name()) + " has no value");
            }
            switch (a.name()) {
                case "created" -> {
                    try {
                        DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(a.value());
                    } catch (DateTimeParseException e) {
                        throw c.fail("annotation \"created\" " + quote(a.value()) + " is not an RFC3339 time");
                    }
                }
                case "homepage", "documentation" -> {
                    if (!isHttpUrl(a.value())) {
                        throw c.fail("annotation " + quote(a.name()) + " " + quote(a.value()) + " is not an http(s) URL");
                    }
                }
                default -> { }
            }
        }
    }

    private static boolean isHttpUrl(String s) {
        try {
            URI uri = new URI(s);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private static <T> T parse(byte[] json, Class<T> type, String what) throws AppcException {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AppcException(what + ": bad JSON" + at(e) + ": " + oneLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new AppcException(what + ": unreadable: " + oneLine(e.getMessage()), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new AppcException(what + ": not a JSON object");
        }
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (JsonMappingException e) {
            throw new AppcException(what + ": bad value at " + path(e) + expected(e), e);
        } catch (JsonProcessingException e) {
            throw new AppcException(what + ": bad JSON: " + oneLine(e.getOriginalMessage()), e);
        }
    }

    private static String at(JsonProcessingException e) {
        var loc = e.getLocation();
        return loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "top level" : sb.toString();
    }

    private static String expected(JsonMappingException e) {
        if (!(e instanceof MismatchedInputException mismatch) || mismatch.getTargetType() == null) {
            return "";
        }
        Class<?> t = mismatch.getTargetType();
        String kind;
        if (t == String.class) {
            kind = "a string";
        } else if (t == Integer.class || t == Long.class || t == int.class || t == long.class) {
            kind = "an integer";
        } else if (t == Boolean.class || t == boolean.class) {
            kind = "true or false";
        } else if (List.class.isAssignableFrom(t)) {
            kind = "an array";
        } else if (JsonNode.class.isAssignableFrom(t)) {
            return "";
        } else {
            kind = "an object";
        }
        return " (expected " + kind + ")";
    }

    static String oneLine(String s) {
        return s == null ? "unknown error" : s.replaceAll("\\s+", " ").trim();
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20 || ch == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static String appcOs(String javaOsName) {
        String os = javaOsName.toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            return "linux";
        }
        if (os.startsWith("freebsd")) {
            return "freebsd";
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return "darwin";
        }
        return os.replaceAll("[^a-z0-9]", "");
    }

    private static String appcArch(String os, String javaArch) {
        String arch = javaArch.toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> os.equals("darwin") ? "x86_64" : "amd64";
            case "x86", "i386", "i486", "i586", "i686" -> "i386";
            case "aarch64", "arm64" -> "aarch64";
            case "arm", "armv7l" -> os.equals("freebsd") ? "arm" : "armv7l";
            default -> arch;
        };
    }

    /** Builds messages under one prefix ({@code image manifest: }) naming fields within one scope ({@code app.}). */
    private record Check(String prefix, String scope) {
        Check(String prefix) {
            this(prefix, "");
        }

        AppcException fail(String message) {
            return new AppcException(prefix + message);
        }

        String field(String name) {
            return scope + name;
        }
    }
}
