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
            "acKind": "ImageManifest"   | "acKind": "PodManifest"       | image manifest: acKind: must be "ImageManifest", not "PodManifest"
            "acKind": "ImageManifest",  | ''                            | image manifest: acKind: must be "ImageManifest"
            "acVersion": "0.8.11"       | "acVersion": ""               | image manifest: acVersion: required
            "acVersion": "0.8.11"       | "acVersion": "0.8"            | image manifest: acVersion: "0.8" is not a SemVer 2.0.0 version (other than 0.0.0)
            "acVersion": "0.8.11"       | "acVersion": "0.0.0"          | image manifest: acVersion: "0.0.0" is not a SemVer 2.0.0 version (other than 0.0.0)
            "acVersion": "0.8.11"       | "acVersion": "01.8.11"        | image manifest: acVersion: "01.8.11" is not a SemVer 2.0.0 version (other than 0.0.0)
            "name": "example.com/app"   | "name": "Example.com/app"     | image manifest: name: "Example.com/app" is not an AC Identifier (lowercase letters and digits, separated by one of -._~/)
            "name": "example.com/app"   | "name": "example.com//app"    | image manifest: name: "example.com//app" is not an AC Identifier (lowercase letters and digits, separated by one of -._~/)
            "name": "example.com/app"   | "name": "example.com/app-"    | image manifest: name: "example.com/app-" is not an AC Identifier (lowercase letters and digits, separated by one of -._~/)
            "name": "example.com/app"   | "name": "example.com/a..b"    | image manifest: name: "example.com/a..b" is not an AC Identifier (lowercase letters and digits, separated by one of -._~/)
            "name": "example.com/app",  | ''                            | image manifest: name: required
            "value": "amd64"            | "value": "x86_64"             | image manifest: labels[1].value: "x86_64" is not a supported arch for linux (must be one of: amd64, i386, aarch64, aarch64_be, armv6l, armv7l, armv7b, ppc64, ppc64le, s390x)
            "value": "linux"            | "value": "plan9"              | image manifest: labels[0].value: "plan9" is not a supported os (must be one of: linux, freebsd, darwin)
            "value": "linux"            | "value": "darwin"             | image manifest: labels[1].value: "amd64" is not a supported arch for darwin (must be one of: x86_64, i386)
            "name": "os"                | "name": "OS"                  | image manifest: labels[0].name: "OS" is not an AC Identifier (lowercase letters and digits, separated by one of -._~/)
            "name": "arch"              | "name": "os"                  | image manifest: labels[1].name: duplicate label "os"
            "name": "arch"              | "name": "name"                | image manifest: labels[1].name: "name" cannot be a label (it would shadow the image name)
            "value": "amd64"            | "value": null                 | image manifest: labels[1].value: required
            "user": "0",                | ''                            | image manifest: app.user: required
            "group": "0"                | "group": ""                   | image manifest: app.group: required
            "exec": ["/bin/true"]       | "exec": ["/bin/true", null]   | image manifest: app.exec[1]: must be a string
            """)
    void parseImageManifest_breaksASpecRule_namesTheField(String from, String to, String message) {
        assertEquals(message, refused(variant(from, to)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            "eventHandlers": [{"name": "pre-stop", "exec": ["/x"]}]                              | image manifest: app.eventHandlers[0].name: "pre-stop" is not "pre-start" or "post-stop"
            "eventHandlers": [{"name": "pre-start", "exec": ["/x"]}, {"name": "pre-start"}]      | image manifest: app.eventHandlers[1].name: duplicate event handler "pre-start"
            "eventHandlers": [{"name": "post-stop", "exec": [null]}]                             | image manifest: app.eventHandlers[0].exec[0]: must be a string
            "environment": [{"name": "1X", "value": ""}]                                          | image manifest: app.environment[0].name: "1X" is not an environment variable name (a letter or _, then letters, digits, _ . -)
            "environment": [{"name": "A B", "value": ""}]                                         | image manifest: app.environment[0].name: "A B" is not an environment variable name (a letter or _, then letters, digits, _ . -)
            "environment": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]            | image manifest: app.environment[1].name: duplicate environment variable "A"
            "mountPoints": [{"name": "Data", "path": "/data"}]                                    | image manifest: app.mountPoints[0].name: "Data" is not an AC Name (lowercase letters and digits, separated by single dashes)
            "mountPoints": [{"name": "a.b", "path": "/data"}]                                     | image manifest: app.mountPoints[0].name: "a.b" is not an AC Name (lowercase letters and digits, separated by single dashes)
            "mountPoints": [{"name": "data", "path": "/a"}, {"name": "data", "path": "/b"}]      | image manifest: app.mountPoints[1].name: duplicate mount point "data"
            "mountPoints": [{"name": "data"}]                                                     | image manifest: app.mountPoints[0].path: required
            "ports": [{"name": "www", "protocol": "tcp", "port": 80}, {"name": "b", "protocol": "tcp", "port": 70000}] | image manifest: app.ports[1].port: 70000 is out of range 1-65535
            "ports": [{"name": "www", "protocol": "tcp", "port": 0}]                              | image manifest: app.ports[0].port: 0 is out of range 1-65535
            "ports": [{"name": "www", "protocol": "tcp"}]                                         | image manifest: app.ports[0].port: required
            "ports": [{"name": "www", "port": 80}]                                                | image manifest: app.ports[0].protocol: required
            "ports": [{"name": "www", "protocol": "tcp", "port": 80, "count": 0}]                 | image manifest: app.ports[0].count: 0 is less than 1
            "ports": [{"name": "www", "protocol": "tcp", "port": 65535, "count": 2}]              | image manifest: app.ports[0].count: 2 ports from 65535 go past 65535
            "ports": [{"name": "w_w", "protocol": "tcp", "port": 80}]                             | image manifest: app.ports[0].name: "w_w" is not an AC Name (lowercase letters and digits, separated by single dashes)
            "ports": [{"name": "w", "protocol": "tcp", "port": 80}, {"name": "w", "protocol": "udp", "port": 80}] | image manifest: app.ports[1].name: duplicate port "w"
            "supplementaryGIDs": [5, -1]                                                          | image manifest: app.supplementaryGIDs[1]: -1 is not a group ID
            "workingDirectory": "opt"                                                             | image manifest: app.workingDirectory: "opt" is not an absolute path
            """)
    void parseImageManifest_badAppField_namesTheField(String field, String message) {
        assertEquals(message, refused(variant("\"group\": \"0\"", "\"group\": \"0\", " + field)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "\"ports\": [{\"name\": \"www\", \"protocol\": \"sctp\", \"port\": 65535, \"count\": 1}]",
        "\"ports\": [{\"name\": \"ftp-data\", \"protocol\": \"tcp\", \"port\": 20000, \"count\": 1000, \"socketActivated\": true}]",
        "\"environment\": [{\"name\": \"_x.y-z\", \"value\": \"\"}]",
        "\"mountPoints\": [{\"name\": \"work\", \"path\": \"/var/lib/work\", \"readOnly\": true}]",
        "\"workingDirectory\": \"\""})
    void parseImageManifest_appFieldWithinTheRules_accepted(String field) throws Exception {
        Appc.parseImageManifest(variant("\"group\": \"0\"", "\"group\": \"0\", " + field));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            "annotations": [{"name": "A", "value": "x"}]                                  | image manifest: annotations[0].name: "A" is not an AC Identifier (lowercase letters and digits, separated by one of -._~/)
            "annotations": [{"name": "a", "value": "x"}, {"name": "a", "value": "y"}]    | image manifest: annotations[1].name: duplicate annotation "a"
            "annotations": [{"name": "a"}]                                                 | image manifest: annotations[0].value: required
            "annotations": [{"name": "created", "value": "yesterday"}]                     | image manifest: annotations[0].value: "yesterday" is not an RFC 3339 time (as 2014-10-27T19:32:27Z)
            "annotations": [{"name": "created", "value": "2014-10-27T19:32Z"}]             | image manifest: annotations[0].value: "2014-10-27T19:32Z" is not an RFC 3339 time (as 2014-10-27T19:32:27Z)
            "annotations": [{"name": "created", "value": "2014-13-27T19:32:27Z"}]          | image manifest: annotations[0].value: "2014-13-27T19:32:27Z" is not an RFC 3339 time (as 2014-10-27T19:32:27Z)
            "annotations": [{"name": "homepage", "value": "ftp://x.org"}]                  | image manifest: annotations[0].value: "ftp://x.org" is not an http or https URL
            "annotations": [{"name": "documentation", "value": "https://"}]                | image manifest: annotations[0].value: "https://" is not an http or https URL
            "annotations": [{"name": "appc.io/executor/supports-systemd-notify", "value": "yes"}] | image manifest: annotations[0].value: "yes" is not "true" or "false"
            "pathWhitelist": ["/etc/hosts", "etc/passwd"]                                  | image manifest: pathWhitelist[1]: "etc/passwd" is not an absolute path
            "dependencies": [{"imageName": "Base"}]                                        | image manifest: dependencies[0].imageName: "Base" is not an AC Identifier (lowercase letters and digits, separated by one of -._~/)
            "dependencies": [{"labels": []}]                                               | image manifest: dependencies[0].imageName: required
            "dependencies": [{"imageName": "b", "imageID": "sha256-abc"}]                  | image manifest: dependencies[0].imageID: "sha256-abc" is not an image ID ("sha512-" and the hex digest)
            "dependencies": [{"imageName": "b", "imageID": "sha512-"}]                     | image manifest: dependencies[0].imageID: "sha512-" is not an image ID ("sha512-" and the hex digest)
            "dependencies": [{"imageName": "b", "labels": [{"name": "os", "value": "beos"}]}] | image manifest: dependencies[0].labels[0].value: "beos" is not a supported os (must be one of: linux, freebsd, darwin)
            "dependencies": [{"imageName": "b", "labels": [{"name": "v", "value": "1"}, {"name": "v", "value": "2"}]}] | image manifest: dependencies[0].labels[1].name: duplicate label "v"
            "dependencies": [{"imageName": "b", "size": -1}]                               | image manifest: dependencies[0].size: -1 is negative
            "dependencies": [{"imageName": "b"}, null]                                     | image manifest: dependencies[1]: must be an object
            """)
    void parseImageManifest_badTopLevelField_namesTheField(String field, String message) {
        assertEquals(message, refused(variant("\"name\": \"example.com/app\"", "\"name\": \"example.com/app\", " + field)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"name": "Resource/cpu", "value": {}}                                                       | image manifest: app.isolators[0].name: "Resource/cpu" is not an AC Identifier (lowercase letters and digits, separated by one of -._~/)
            {"name": "resource/cpu", "value": {"limit": "lots"}}                                        | image manifest: app.isolators[0].value.limit: "lots" is not a quantity (like 500m, 0.5, 128974848, 123Mi or 2G)
            {"name": "resource/memory", "value": {"request": "-1G"}}                                    | image manifest: app.isolators[0].value.request: "-1G" is not a quantity (like 500m, 0.5, 128974848, 123Mi or 2G)
            {"name": "resource/memory", "value": {"limit": "1Gb"}}                                      | image manifest: app.isolators[0].value.limit: "1Gb" is not a quantity (like 500m, 0.5, 128974848, 123Mi or 2G)
            {"name": "resource/memory", "value": {"default": true, "limit": "1G"}}                      | image manifest: app.isolators[0].value.default: must be false for resource/memory
            {"name": "resource/memory", "value": "1G"}                                                  | image manifest: app.isolators[0].value: must be an object
            {"name": "resource/block-iops", "value": {"limit": "1000"}}                                 | image manifest: app.isolators[0].value.default: must be true for resource/block-iops
            {"name": "resource/block-bandwidth", "value": {"default": true, "request": "1M", "limit": "2M"}} | image manifest: app.isolators[0].value.request: resource/block-bandwidth takes no request, only a limit
            {"name": "resource/network-bandwidth", "value": {"default": true}}                          | image manifest: app.isolators[0].value.limit: required
            {"name": "os/linux/capabilities-retain-set", "value": {"set": []}}                          | image manifest: app.isolators[0].value.set: must be a non-empty array
            {"name": "os/linux/capabilities-remove-set", "value": {"set": ["CAP_KILL", "NET_RAW"]}}     | image manifest: app.isolators[0].value.set[1]: "NET_RAW" is not a capability name (CAP_ and capital letters, as CAP_NET_BIND_SERVICE)
            {"name": "os/linux/seccomp-remove-set", "value": {"errno": "enotsup", "set": ["reboot"]}}   | image manifest: app.isolators[0].value.errno: "enotsup" is not an errno name (as ENOTSUP), nor empty
            {"name": "os/linux/seccomp-retain-set", "value": {"set": ["@appc.io/empty"]}}               | image manifest: app.isolators[0].value.set[0]: "@appc.io/empty" is not a wildcard of os/linux/seccomp-retain-set (the spec defines only "@appc.io/all")
            {"name": "os/linux/seccomp-retain-set", "value": {"set": [""]}}                             | image manifest: app.isolators[0].value.set[0]: must be a syscall name or a wildcard
            {"name": "os/linux/no-new-privileges", "value": "yes"}                                      | image manifest: app.isolators[0].value: must be true or false
            {"name": "os/linux/selinux-context", "value": {"user": "u:x", "role": "r", "type": "t", "level": "s0"}} | image manifest: app.isolators[0].value.user: "u:x" must not contain ":"
            {"name": "os/linux/selinux-context", "value": {"user": "u", "role": "r", "type": "t"}}      | image manifest: app.isolators[0].value.level: required (a non-empty string)
            {"name": "os/linux/apparmor-profile", "value": {"profile": ""}}                             | image manifest: app.isolators[0].value.profile: required (a non-empty string)
            {"name": "os/linux/oom-score-adj", "value": 1001}                                           | image manifest: app.isolators[0].value: 1001 is out of range -1000 to 1000
            {"name": "os/linux/cpu-shares", "value": 1}                                                 | image manifest: app.isolators[0].value: 1 is out of range 2 to 262144
            {"name": "os/linux/cpu-shares", "value": "512"}                                             | image manifest: app.isolators[0].value: must be an integer from 2 to 262144
            {"name": "os/unix/sysctl", "value": {"net.ipv4.ip_forward": "1"}}                           | image manifest: app.isolators[0].name: "os/unix/sysctl" applies to pods only
            """)
    void parseImageManifest_badIsolator_namesTheField(String isolator, String message) {
        assertEquals(message, refused(variant("\"group\": \"0\"", "\"group\": \"0\", \"isolators\": [" + isolator + "]")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"name": "resource/cpu", "value": {"limit": "1"}}, {"name": "resource/cpu", "value": {"limit": "2"}}  | image manifest: app.isolators[1].name: duplicate isolator "resource/cpu" (also at [0])
            {"name": "os/linux/seccomp-retain-set", "value": {"set": ["read"]}}, {"name": "os/linux/seccomp-remove-set", "value": {"set": ["reboot"]}} | image manifest: app.isolators[1].name: "os/linux/seccomp-remove-set" cannot be used together with "os/linux/seccomp-retain-set" (at [0])
            {"name": "os/linux/capabilities-remove-set", "value": {"set": ["CAP_KILL"]}}, {"name": "os/linux/capabilities-retain-set", "value": {"set": ["CAP_KILL"]}} | image manifest: app.isolators[1].name: "os/linux/capabilities-retain-set" cannot be used together with "os/linux/capabilities-remove-set" (at [0])
            """)
    void parseImageManifest_isolatorsThatExcludeEachOther_refused(String isolators, String message) {
        assertEquals(message, refused(variant("\"group\": \"0\"", "\"group\": \"0\", \"isolators\": [" + isolators + "]")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"name\": \"resource/cpu\", \"value\": {\"request\": \"250m\", \"limit\": 0.5}}",
        "{\"name\": \"resource/memory\", \"value\": {\"request\": \"125952Ki\", \"limit\": \"128974848\", \"default\": false}}",
        "{\"name\": \"resource/memory\", \"value\": {\"limit\": \"1.5e9\"}}",
        "{\"name\": \"resource/block-bandwidth\", \"value\": {\"default\": true, \"limit\": \"2M\"}}",
        "{\"name\": \"resource/network-bandwidth\", \"value\": {\"default\": true, \"limit\": \"1K\"}}",
        "{\"name\": \"os/linux/seccomp-remove-set\", \"value\": {\"errno\": \"ENOTSUP\", \"set\": [\"@appc.io/empty\", \"@rkt/default-blacklist\"]}}",
        "{\"name\": \"os/linux/seccomp-retain-set\", \"value\": {\"errno\": \"\", \"set\": [\"@appc.io/all\"]}}",
        "{\"name\": \"os/linux/selinux-context\", \"value\": {\"user\": \"system_u\", \"role\": \"system_r\", \"type\": \"dhcpc_t\", \"level\": \"s0:c1,c2\"}}",
        "{\"name\": \"os/linux/oom-score-adj\", \"value\": -1000}",
        "{\"name\": \"os/linux/no-new-privileges\", \"value\": true}",
        "{\"name\": \"example.com/unknown-isolator\", \"value\": [1, \"anything\"]}"})
    void parseImageManifest_isolatorWithinTheRules_accepted(String isolator) throws Exception {
        Appc.parseImageManifest(variant("\"group\": \"0\"", "\"group\": \"0\", \"isolators\": [" + isolator + "]"));
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
            "name": "reduce-worker"      | "name": "Reduce"       | pod manifest: apps[0].name: "Reduce" is not an AC Name (lowercase letters and digits, separated by single dashes)
            "name": "backup"             | "name": "reduce-worker" | pod manifest: apps[1].name: duplicate app name "reduce-worker"
            "kind": "host"               | "kind": "nfs"          | pod manifest: volumes[0].kind: "nfs" is not "host" or "empty"
            "source": "/opt/tenant1/database" | "source": "db"    | pod manifest: volumes[0].source: "db" is not an absolute path
            "user": "0",                 | "user": "",            | pod manifest: apps[0].app.user: required
            "mode": "0777"               | "mode": "0999"         | pod manifest: volumes[1].mode: "0999" is not an octal mode (as "0755")
            "volume": "dbvolume"         | "volume": "DB"         | pod manifest: apps[0].mounts[0].volume: "DB" is not an AC Name (lowercase letters and digits, separated by single dashes)
            "acKind": "PodManifest"      | "acKind": "ImageManifest" | pod manifest: acKind: must be "PodManifest", not "ImageManifest"
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
