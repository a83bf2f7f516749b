package dev.rktj.kernel.appc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rktj.kernel.testing.SharedFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AppcTest {

    private static final String VALID = """
            {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/app",
             "labels": [{"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
             "app": {"exec": ["/bin/true"], "user": "0", "group": "0"}}""";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A valid manifest with {@code from} replaced by {@code to} (which must occur). */
    private static byte[] variant(String from, String to) {
        assertTrue(VALID.contains(from), from);
        return bytes(VALID.replace(from, to));
    }

    private static String refused(byte[] json) {
        AppcException e = assertThrows(AppcException.class, () -> Appc.parseImageManifest(json));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void parseImageManifest_specExample_readsEveryField() throws Exception {
        ImageManifest m = Appc.parseImageManifest(Files.readAllBytes(SharedFixtures.appc("appc-spec-examples/image.json")));
        assertEquals("example.com/reduce-worker", m.name());
        assertEquals("1.0.0", m.label("version"));
        assertEquals(List.of("/usr/bin/reduce-worker", "--quiet"), m.app().exec());
        assertEquals("pre-start", m.app().eventHandlers().get(0).name());
        assertEquals(4000, m.app().ports().get(0).port());
        assertTrue(m.app().ports().get(0).socketActivated());
        assertEquals("1G", m.app().isolators().get(1).value().get("limit").asText());
        assertEquals("example.com/reduce-worker-base", m.dependencies().get(0).imageName());
        assertEquals(5, m.pathWhitelist().size());
        assertEquals("https://example.com", m.annotation("homepage"));
    }

    @Test
    void parseImageManifest_aceValidatorTemplates_valid() throws Exception {
        for (String name : List.of("image_manifest_main.json.in", "image_manifest_sidekick.json.in")) {
            String json = Files.readString(SharedFixtures.appc("appc-spec-examples/" + name))
                    .replace("@ACI_OS@", "linux").replace("@ACI_ARCH@", "amd64");
            Appc.parseImageManifest(bytes(json));
        }
    }

    @Test
    void parsePodManifest_specExamples_valid() throws Exception {
        PodManifest runtime = Appc.parsePodManifest(Files.readAllBytes(SharedFixtures.appc("appc-spec-examples/pod_runtime.json")));
        assertEquals(3, runtime.apps().size());
        assertEquals("dbvolume", runtime.apps().get(0).mounts().get(0).get("volume").asText());
        assertEquals("0777", runtime.volumes().get(1).mode());
        Appc.parsePodManifest(Files.readAllBytes(SharedFixtures.appc("appc-spec-examples/pod_template.json")));
    }

    @Test
    void parseImageManifest_unknownFieldsAndOtherKeyCase_accepted() throws Exception {
        ImageManifest m = Appc.parseImageManifest(bytes(VALID.replace("\"group\": \"0\"",
                "\"group\": \"0\", \"supplementaryGids\": [5, 6], \"futureField\": {\"x\": 1}")));
        assertEquals(List.of(5, 6), m.app().supplementaryGIDs());
    }

    @Test
    void parseImageManifest_absentLists_readAsEmpty() throws Exception {
        ImageManifest m = Appc.parseImageManifest(bytes("{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"a\"}"));
        assertEquals(List.of(), m.labels());
        assertEquals(List.of(), m.dependencies());
        assertNull(m.app());
        assertNull(m.label("os"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            "acKind": "ImageManifest"   | "acKind": "PodManifest"       | image manifest: missing or bad acKind (must be "ImageManifest")
            "acKind": "ImageManifest",  | ''                            | image manifest: missing or bad acKind (must be "ImageManifest")
            "acVersion": "0.8.11"       | "acVersion": ""               | image manifest: missing acVersion
            "acVersion": "0.8.11"       | "acVersion": "0.8"            | image manifest: bad acVersion "0.8" (must be a SemVer 2.0.0 version)
            "acVersion": "0.8.11"       | "acVersion": "0.0.0"          | image manifest: bad acVersion "0.0.0" (must be a SemVer 2.0.0 version)
            "acVersion": "0.8.11"       | "acVersion": "01.8.11"        | image manifest: bad acVersion "01.8.11" (must be a SemVer 2.0.0 version)
            "name": "example.com/app"   | "name": "Example.com/app"     | image manifest: name "Example.com/app" is not an AC Identifier
            "name": "example.com/app"   | "name": "example.com//app"    | image manifest: name "example.com//app" is not an AC Identifier
            "name": "example.com/app"   | "name": "example.com/app-"    | image manifest: name "example.com/app-" is not an AC Identifier
            "name": "example.com/app",  | ''                            | image manifest: missing name
            "value": "amd64"            | "value": "x86_64"             | image manifest: bad arch "x86_64" for linux (must be one of: amd64, i386, aarch64, aarch64_be, armv6l, armv7l, armv7b, ppc64, ppc64le, s390x)
            "value": "linux"            | "value": "plan9"              | image manifest: bad os "plan9" (must be one of: linux, freebsd, darwin)
            "name": "os"                | "name": "OS"                  | image manifest: label name "OS" is not an AC Identifier
            "name": "arch"              | "name": "os"                  | image manifest: duplicate label "os"
            "name": "arch"              | "name": "name"                | image manifest: label "name" is not allowed
            "user": "0",                | ''                            | image manifest: app.user is required
            "group": "0"                | "group": ""                   | image manifest: app.group is required
            """)
    void parseImageManifest_breaksASpecRule_namesTheField(String from, String to, String message) {
        assertEquals(message, refused(variant(from, to)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            "eventHandlers": [{"name": "pre-stop", "exec": ["/x"]}]                              | image manifest: bad event handler "pre-stop" (must be "pre-start" or "post-stop")
            "eventHandlers": [{"name": "pre-start", "exec": ["/x"]}, {"name": "pre-start"}]      | image manifest: duplicate event handler "pre-start"
            "environment": [{"name": "1X", "value": ""}]                                          | image manifest: bad environment variable name "1X"
            "environment": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]            | image manifest: duplicate environment variable "A"
            "mountPoints": [{"name": "Data", "path": "/data"}]                                    | image manifest: mount point name "Data" is not an AC Name
            "mountPoints": [{"name": "a.b", "path": "/data"}]                                     | image manifest: mount point name "a.b" is not an AC Name
            "ports": [{"name": "www", "protocol": "tcp", "port": 0}]                              | image manifest: port "www": 0 is out of range (1-65535)
            "ports": [{"name": "www", "protocol": "tcp", "port": 65536}]                          | image manifest: port "www": 65536 is out of range (1-65535)
            "ports": [{"name": "www", "protocol": "tcp", "port": 80, "count": 0}]                 | image manifest: port "www": count 0 must be at least 1
            "ports": [{"name": "www", "protocol": "tcp", "port": 65535, "count": 2}]              | image manifest: port "www": 65535+2 goes past 65535
            "ports": [{"name": "w_w", "protocol": "tcp", "port": 80}]                             | image manifest: port name "w_w" is not an AC Name
            "isolators": [{"name": "Resource/cpu", "value": {}}]                                  | image manifest: isolator name "Resource/cpu" is not an AC Identifier
            "workingDirectory": "opt"                                                             | image manifest: app.workingDirectory "opt" is not an absolute path
            """)
    void parseImageManifest_badAppField_namesTheField(String field, String message) {
        assertEquals(message, refused(variant("\"group\": \"0\"", "\"group\": \"0\", " + field)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            "annotations": [{"name": "A", "value": "x"}]                                  | image manifest: annotation name "A" is not an AC Identifier
            "annotations": [{"name": "a", "value": "x"}, {"name": "a", "value": "y"}]    | image manifest: duplicate annotation "a"
            "annotations": [{"name": "created", "value": "yesterday"}]                     | image manifest: annotation "created" "yesterday" is not an RFC3339 time
            "annotations": [{"name": "homepage", "value": "ftp://x.org"}]                  | image manifest: annotation "homepage" "ftp://x.org" is not an http(s) URL
            "pathWhitelist": ["etc/passwd"]                                                | image manifest: pathWhitelist entry "etc/passwd" is not an absolute path
            "dependencies": [{"imageName": "Base"}]                                        | image manifest: dependency imageName "Base" is not an AC Identifier
            """)
    void parseImageManifest_badTopLevelField_namesTheField(String field, String message) {
        assertEquals(message, refused(variant("\"name\": \"example.com/app\"", "\"name\": \"example.com/app\", " + field)));
    }

    @Test
    void parseImageManifest_archWithoutOs_notChecked() throws Exception {
        Appc.parseImageManifest(bytes(VALID.replace("{\"name\": \"os\", \"value\": \"linux\"}, ", "").replace("amd64", "x86_64")));
    }

    @Test
    void parseImageManifest_appWithoutExec_valid() throws Exception {
        ImageManifest m = Appc.parseImageManifest(variant("\"exec\": [\"/bin/true\"], ", ""));
        assertEquals(List.of(), m.app().exec());
    }

    @Test
    void parseImageManifest_badJson_oneLineWithPosition() {
        String message = refused(bytes("{n"));
        assertTrue(message.startsWith("image manifest: bad JSON at line 1, column 2: "), message);
    }

    @Test
    void parseImageManifest_wrongValueType_namesThePath() {
        assertEquals("image manifest: bad value at app.ports[0].port (expected an integer)",
                refused(variant("\"group\": \"0\"", "\"group\": \"0\", \"ports\": [{\"name\": \"a\", \"protocol\": \"tcp\", \"port\": \"eighty\"}]")));
        assertEquals("image manifest: bad value at name (expected a string)", refused(variant("\"example.com/app\"", "5")));
    }

    @Test
    void parseImageManifest_notAnObject_refused() {
        assertEquals("image manifest: not a JSON object", refused(bytes("[1]")));
        assertEquals("image manifest: not a JSON object", refused(bytes("")));
    }

    @Test
    void parseImageManifest_trailingGarbage_refused() {
        assertTrue(refused(bytes(VALID + " {}")).startsWith("image manifest: bad JSON"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "abc-123", "a-b-c", "0"})
    void isAcName_specGrammar_accepts(String s) {
        assertTrue(Appc.isAcName(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-a", "a-", "a--b", "A", "a_b", "a.b", "a/b", "é"})
    void isAcName_outsideGrammar_refuses(String s) {
        assertFalse(Appc.isAcName(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "example.com/app", "coreos.com/rkt/stage1-fly", "a~b", "a_b.c-d/e", "1.2"})
    void isAcIdentifier_specGrammar_accepts(String s) {
        assertTrue(Appc.isAcIdentifier(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/a", "a/", "a..b", "a/-b", "A", "a b", "a:b", "a@b"})
    void isAcIdentifier_outsideGrammar_refuses(String s) {
        assertFalse(Appc.isAcIdentifier(s));
    }

    @Test
    void checkAppName_badName_explainsTheRule() {
        AppcException e = assertThrows(AppcException.class, () -> Appc.checkAppName("My_App"));
        assertEquals("invalid app name \"My_App\": must be an AC Name (lowercase letters, digits, dashes)", e.getMessage());
    }

    @Test
    void hostPlatform_onThisMachine_isAnAppcPair() {
        assertEquals("linux", Appc.HOST_OS);
        assertTrue(Appc.arches(Appc.HOST_OS).contains(Appc.HOST_ARCH), Appc.HOST_ARCH);
    }

    @Test
    void toJson_leavesOutAbsentAndEmpty() throws Exception {
        ImageManifest m = new ImageManifest("ImageManifest", "0.8.11", "a", null,
                new App(List.of("/x"), "0", "0", null, null, null, List.of(new EnvVar("E", "")), null, null, null, null, null),
                null, null, null);
        JsonNode json = Appc.mapper().readTree(Appc.toJson(m));
        assertEquals(List.of("acKind", "acVersion", "name", "app"), fieldNames(json));
        assertEquals(List.of("exec", "user", "group", "environment"), fieldNames(json.get("app")));
        assertEquals("", json.get("app").get("environment").get(0).get("value").asText());
        assertEquals(m, Appc.parseImageManifest(Appc.toJson(m)));
    }

    @Test
    void toJson_podWithoutApps_keepsTheRequiredAppsField() throws Exception {
        PodManifest pod = new PodManifest("0.8.11", "PodManifest", List.of(), null, null, null, null, Map.of(), null);
        JsonNode json = Appc.mapper().readTree(Appc.toJson(pod));
        assertTrue(json.has("apps"));
        assertFalse(json.has("userAnnotations"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            "name": "reduce-worker"      | "name": "Reduce"       | pod manifest: app name "Reduce" is not an AC Name (lowercase letters, digits, dashes)
            "name": "backup"             | "name": "reduce-worker" | pod manifest: duplicate app name "reduce-worker"
            "kind": "host"               | "kind": "nfs"          | pod manifest: volume "dbvolume" has a bad kind "nfs" (must be "host" or "empty")
            "source": "/opt/tenant1/database" | "source": "db"    | pod manifest: host volume "dbvolume" needs an absolute source path
            "user": "0",                 | "user": "",            | pod manifest: app "reduce-worker": app.user is required
            """)
    void parsePodManifest_breaksASpecRule_namesTheField(String from, String to, String message) throws Exception {
        String json = Files.readString(SharedFixtures.appc("appc-spec-examples/pod_runtime.json"));
        String compact = Appc.mapper().readTree(json).toString().replace("\":", "\": ").replace(",\"", ", \"");
        assertTrue(compact.contains(from), from);
        AppcException e = assertThrows(AppcException.class, () -> Appc.parsePodManifest(bytes(compact.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)))));
        assertEquals(message, e.getMessage());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void fixtures_path_resolvesFromModuleDirectory() {
        assertTrue(Files.isDirectory(SharedFixtures.appcDir().resolve("aci")));
        assertTrue(Path.of("").toAbsolutePath().toString().endsWith("kernel"));
    }
}
