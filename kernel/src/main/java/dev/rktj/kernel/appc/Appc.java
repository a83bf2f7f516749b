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
import java.time.OffsetDateTime;
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
    private static final Set<String> EVENT_HANDLERS = Set.of("pre-start", "post-stop");
    // The spec's own example elides the digest ("sha512-..."); a value that is no digest is refused
    // where an ID is looked up (dependency resolution), not here.
    private static final Pattern IMAGE_ID = Pattern.compile("sha512-.+");
    // RFC 3339 needs the seconds and the offset that ISO 8601 parsers let go
    private static final Pattern RFC3339 = Pattern.compile(
            "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})");
    private static final int MAX_PORT = 65535;

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
        Field top = Field.root("image manifest");
        checkKind(top.at("acKind"), m.acKind(), ImageManifest.KIND);
        checkVersion(top.at("acVersion"), m.acVersion());
        checkIdentifier(top.at("name"), m.name());
        checkLabels(top.at("labels"), m.labels());
        if (m.app() != null) {
            checkApp(top.at("app"), m.app());
        }
        checkAnnotations(top.at("annotations"), m.annotations());
        for (int i = 0; i < m.dependencies().size(); i++) {
            checkDependency(top.at("dependencies").at(i), m.dependencies().get(i));
        }
        for (int i = 0; i < m.pathWhitelist().size(); i++) {
            checkAbsolute(top.at("pathWhitelist").at(i), m.pathWhitelist().get(i));
        }
    }

    public static void validate(PodManifest m) throws AppcException {
        Field top = Field.root("pod manifest");
        checkKind(top.at("acKind"), m.acKind(), PodManifest.KIND);
        checkVersion(top.at("acVersion"), m.acVersion());
        Set<String> appNames = new HashSet<>();
        for (int i = 0; i < m.apps().size(); i++) {
            Field at = top.at("apps").at(i);
            RuntimeApp app = notNull(at, m.apps().get(i));
            checkAcName(at.at("name"), app.name());
            if (!appNames.add(app.name())) {
                throw at.at("name").fail("duplicate app name " + quote(app.name()));
            }
            RuntimeImage image = app.image();
            if (image != null) {
                if (image.name() != null) {
                    checkIdentifier(at.at("image").at("name"), image.name());
                }
                if (image.id() != null) {
                    checkImageId(at.at("image").at("id"), image.id());
                }
                checkLabels(at.at("image").at("labels"), image.labels());
            }
            if (app.app() != null) {
                checkApp(at.at("app"), app.app());
            }
            for (int j = 0; j < app.mounts().size(); j++) {
                Field mf = at.at("mounts").at(j);
                JsonNode mount = app.mounts().get(j);
                if (mount == null || !mount.isObject()) {
                    throw mf.fail("must be an object");
                }
                checkAcName(mf.at("volume"), mount.path("volume").isTextual() ? mount.path("volume").textValue() : null);
                if (!mount.path("path").isTextual() || mount.path("path").textValue().isEmpty()) {
                    throw mf.at("path").fail("required");
                }
            }
            checkAnnotations(at.at("annotations"), app.annotations());
        }
        Set<String> volumeNames = new HashSet<>();
        for (int i = 0; i < m.volumes().size(); i++) {
            Field at = top.at("volumes").at(i);
            Volume v = notNull(at, m.volumes().get(i));
            checkAcName(at.at("name"), v.name());
            if (!volumeNames.add(v.name())) {
                throw at.at("name").fail("duplicate volume " + quote(v.name()));
            }
            if ("host".equals(v.kind())) {
                checkAbsolute(at.at("source"), v.source());
            } else if ("empty".equals(v.kind())) {
                if (v.mode() != null && !v.mode().matches("0?[0-7]{1,4}")) {
                    throw at.at("mode").fail(quote(v.mode()) + " is not an octal mode (as \"0755\")");
                }
            } else {
                throw at.at("kind").fail(quote(v.kind()) + " is not \"host\" or \"empty\"");
            }
        }
        Isolators.check(top.at("isolators"), m.isolators(), Isolators.Scope.POD);
        checkAnnotations(top.at("annotations"), m.annotations());
    }

    private static void checkKind(Field f, String kind, String expected) throws AppcException {
        if (!expected.equals(kind)) {
            throw f.fail("must be " + quote(expected) + (kind == null ? "" : ", not " + quote(kind)));
        }
    }

    private static void checkVersion(Field f, String version) throws AppcException {
        if (version == null || version.isEmpty()) {
            throw f.fail("required");
        }
        if (!SEMVER.matcher(version).matches() || version.equals("0.0.0")) {
            throw f.fail(quote(version) + " is not a SemVer 2.0.0 version (other than 0.0.0)");
        }
    }

    static void checkIdentifier(Field f, String s) throws AppcException {
        if (s == null || s.isEmpty()) {
            throw f.fail("required");
        }
        if (!isAcIdentifier(s)) {
            throw f.fail(quote(s) + " is not an AC Identifier (lowercase letters and digits, separated by one of -._~/)");
        }
    }

    private static void checkAcName(Field f, String s) throws AppcException {
        if (s == null || s.isEmpty()) {
            throw f.fail("required");
        }
        if (!isAcName(s)) {
            throw f.fail(quote(s) + " is not an AC Name (lowercase letters and digits, separated by single dashes)");
        }
    }

    private static void checkAbsolute(Field f, String path) throws AppcException {
        if (path == null || path.isEmpty()) {
            throw f.fail("required");
        }
        if (!path.startsWith("/")) {
            throw f.fail(quote(path) + " is not an absolute path");
        }
    }

    private static void checkImageId(Field f, String id) throws AppcException {
        if (!IMAGE_ID.matcher(id).matches()) {
            throw f.fail(quote(id) + " is not an image ID (\"sha512-\" and the hex digest)");
        }
    }

    private static <T> T notNull(Field f, T element) throws AppcException {
        if (element == null) {
            throw f.fail("must be an object");
        }
        return element;
    }

    private static void checkLabels(Field list, List<Label> labels) throws AppcException {
        Set<String> seen = new HashSet<>();
        int os = -1;
        int arch = -1;
        for (int i = 0; i < labels.size(); i++) {
            Field at = list.at(i);
            Label label = notNull(at, labels.get(i));
            checkIdentifier(at.at("name"), label.name());
            if (label.name().equals("name")) {
                throw at.at("name").fail("\"name\" cannot be a label (it would shadow the image name)");
            }
            if (!seen.add(label.name())) {
                throw at.at("name").fail("duplicate label " + quote(label.name()));
            }
            if (label.value() == null) {
                throw at.at("value").fail("required");
            }
            if (label.name().equals("os")) {
                os = i;
            } else if (label.name().equals("arch")) {
                arch = i;
            }
        }
        // arch means something only next to os (types.md), so only then is it checked
        if (os < 0) {
            return;
        }
        String osValue = labels.get(os).value();
        List<String> arches = OS_ARCHES.get(osValue);
        if (arches == null) {
            throw list.at(os).at("value").fail(quote(osValue) + " is not a supported os (must be one of: " + String.join(", ", OSES) + ")");
        }
        if (arch >= 0 && !arches.contains(labels.get(arch).value())) {
            throw list.at(arch).at("value").fail(quote(labels.get(arch).value()) + " is not a supported arch for " + osValue
                    + " (must be one of: " + String.join(", ", arches) + ")");
        }
    }

    private static void checkDependency(Field at, Dependency d) throws AppcException {
        notNull(at, d);
        checkIdentifier(at.at("imageName"), d.imageName());
        if (d.imageID() != null) {
            checkImageId(at.at("imageID"), d.imageID());
        }
        checkLabels(at.at("labels"), d.labels());
        if (d.size() != null && d.size() < 0) {
            throw at.at("size").fail(d.size() + " is negative");
        }
    }

    private static void checkApp(Field app, App a) throws AppcException {
        for (int i = 0; i < a.exec().size(); i++) {
            if (a.exec().get(i) == null) {
                throw app.at("exec").at(i).fail("must be a string");
            }
        }
        if (a.user() == null || a.user().isEmpty()) {
            throw app.at("user").fail("required");
        }
        if (a.group() == null || a.group().isEmpty()) {
            throw app.at("group").fail("required");
        }
        for (int i = 0; i < a.supplementaryGIDs().size(); i++) {
            Integer gid = a.supplementaryGIDs().get(i);
            if (gid == null || gid < 0) {
                throw app.at("supplementaryGIDs").at(i).fail(gid + " is not a group ID");
            }
        }
        Set<String> handlers = new HashSet<>();
        for (int i = 0; i < a.eventHandlers().size(); i++) {
            Field at = app.at("eventHandlers").at(i);
            EventHandler h = notNull(at, a.eventHandlers().get(i));
            if (!EVENT_HANDLERS.contains(h.name())) {
                throw at.at("name").fail(quote(h.name()) + " is not \"pre-start\" or \"post-stop\"");
            }
            if (!handlers.add(h.name())) {
                throw at.at("name").fail("duplicate event handler " + quote(h.name()));
            }
            for (int j = 0; j < h.exec().size(); j++) {
                if (h.exec().get(j) == null) {
                    throw at.at("exec").at(j).fail("must be a string");
                }
            }
        }
        String wd = a.workingDirectory();
        if (wd != null && !wd.isEmpty()) {
            checkAbsolute(app.at("workingDirectory"), wd);
        }
        Set<String> env = new HashSet<>();
        for (int i = 0; i < a.environment().size(); i++) {
            Field at = app.at("environment").at(i);
            EnvVar e = notNull(at, a.environment().get(i));
            if (e.name() == null || !ENV_NAME.matcher(e.name()).matches()) {
                throw at.at("name").fail(quote(e.name()) + " is not an environment variable name (a letter or _, then letters, digits, _ . -)");
            }
            if (!env.add(e.name())) {
                throw at.at("name").fail("duplicate environment variable " + quote(e.name()));
            }
        }
        Isolators.check(app.at("isolators"), a.isolators(), Isolators.Scope.APP);
        Set<String> mountPoints = new HashSet<>();
        for (int i = 0; i < a.mountPoints().size(); i++) {
            Field at = app.at("mountPoints").at(i);
            MountPoint mp = notNull(at, a.mountPoints().get(i));
            checkAcName(at.at("name"), mp.name());
            if (!mountPoints.add(mp.name())) {
                throw at.at("name").fail("duplicate mount point " + quote(mp.name()));
            }
            if (mp.path() == null || mp.path().isEmpty()) {
                throw at.at("path").fail("required");
            }
        }
        Set<String> ports = new HashSet<>();
        for (int i = 0; i < a.ports().size(); i++) {
            checkPort(app.at("ports").at(i), a.ports().get(i), ports);
        }
    }

    private static void checkPort(Field at, Port p, Set<String> names) throws AppcException {
        notNull(at, p);
        checkAcName(at.at("name"), p.name());
        if (!names.add(p.name())) {
            throw at.at("name").fail("duplicate port " + quote(p.name()));
        }
        // any protocol is allowed (aci.md), but there must be one
        if (p.protocol() == null || p.protocol().isEmpty()) {
            throw at.at("protocol").fail("required");
        }
        if (p.port() == null) {
            throw at.at("port").fail("required");
        }
        if (p.port() < 1 || p.port() > MAX_PORT) {
            throw at.at("port").fail(p.port() + " is out of range 1-" + MAX_PORT);
        }
        int count = p.count() == null ? 1 : p.count();
        if (count < 1) {
            throw at.at("count").fail(count + " is less than 1");
        }
        if ((long) p.port() + count - 1 > MAX_PORT) {
            throw at.at("count").fail(count + " ports from " + p.port() + " go past " + MAX_PORT);
        }
    }

    private static void checkAnnotations(Field list, List<Annotation> annotations) throws AppcException {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < annotations.size(); i++) {
            Field at = list.at(i);
            Annotation a = notNull(at, annotations.get(i));
            checkIdentifier(at.at("name"), a.name());
            if (!seen.add(a.name())) {
                throw at.at("name").fail("duplicate annotation " + quote(a.name()));
            }
            if (a.value() == null) {
                throw at.at("value").fail("required");
            }
            Field value = at.at("value");
            switch (a.name()) {
                case "created" -> {
                    if (!isRfc3339(a.value())) {
                        throw value.fail(quote(a.value()) + " is not an RFC 3339 time (as 2014-10-27T19:32:27Z)");
                    }
                }
                case "homepage", "documentation" -> {
                    if (!isHttpUrl(a.value())) {
                        throw value.fail(quote(a.value()) + " is not an http or https URL");
                    }
                }
                case "appc.io/executor/supports-systemd-notify" -> {
                    if (!a.value().equals("true") && !a.value().equals("false")) {
                        throw value.fail(quote(a.value()) + " is not \"true\" or \"false\"");
                    }
                }
                default -> { }
            }
        }
    }

    private static boolean isRfc3339(String s) {
        if (!RFC3339.matcher(s).matches()) {
            return false;
        }
        try {
            OffsetDateTime.parse(s);
            return true;
        } catch (DateTimeParseException e) {
            return false;
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
}
