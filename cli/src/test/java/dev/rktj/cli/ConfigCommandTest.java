package dev.rktj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rkt config} run in-process as the CLI runs it: rkt's document, merged, with every secret hidden. */
class ConfigCommandTest {

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    private Result rkt(String... args) {
        List<String> all = new ArrayList<>(List.of("--dir=" + dir.resolve("data"), "--local-config=" + dir.resolve("etc"),
                "--system-config=" + dir.resolve("lib")));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Rkt.execute(all.toArray(String[]::new), dir, null, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    private Path write(String configDir, String sub, String file, String json) throws IOException {
        return Files.writeString(Files.createDirectories(dir.resolve(configDir).resolve(sub)).resolve(file), json);
    }

    @Test
    void config_nothingConfigured_emptyStage0AndNothingCreated() {
        Result r = rkt("config");

        assertEquals(0, r.code(), r.err());
        assertEquals("{\n\t\"stage0\": []\n}\n", r.out());
        assertEquals("", r.err());
        assertFalse(Files.exists(dir.resolve("data")), "config reads configuration only");
    }

    @Test
    void config_systemLocalAndUser_oneEntryPerDomain_laterOverrides_secretsHidden() throws Exception {
        write("lib", "auth.d", "common.json", "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"coreos.com\",\"tectonic.com\","
                + "\"kubernetes.io\"],\"type\":\"oauth\",\"credentials\":{\"token\":\"common-token\"}}");
        write("etc", "auth.d", "coreos.json", "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"coreos.com\"],"
                + "\"type\":\"basic\",\"credentials\":{\"user\":\"foo\",\"password\":\"bar-password\"}}");
        write("user", "auth.d", "tectonic.json", "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"tectonic.com\"],"
                + "\"type\":\"oauth\",\"credentials\":{\"token\":\"tectonic-token\"}}");

        Result r = rkt("--user-config=user", "config", "--pretty-print=false");

        assertEquals(0, r.code(), r.err());
        assertEquals("{\"stage0\":["
                + "{\"rktVersion\":\"v1\",\"rktKind\":\"auth\",\"domains\":[\"coreos.com\"],\"type\":\"basic\","
                + "\"credentials\":{\"user\":\"foo\",\"password\":\"********\"}},"
                + "{\"rktVersion\":\"v1\",\"rktKind\":\"auth\",\"domains\":[\"kubernetes.io\"],\"type\":\"oauth\","
                + "\"credentials\":{\"token\":\"********\"}},"
                + "{\"rktVersion\":\"v1\",\"rktKind\":\"auth\",\"domains\":[\"tectonic.com\"],\"type\":\"oauth\","
                + "\"credentials\":{\"token\":\"********\"}}]}\n", r.out());
        for (String secret : List.of("common-token", "bar-password", "tectonic-token")) {
            assertFalse(r.out().contains(secret) || r.err().contains(secret), secret + " was printed");
        }
    }

    @Test
    void config_prettyByDefault_tabIndentedAsRkt() throws Exception {
        write("etc", "auth.d", "a.json", "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"example.com\"],"
                + "\"type\":\"oauth\",\"credentials\":{\"token\":\"t\"}}");

        Result r = rkt("config");

        assertEquals(String.join("\n", "{",
                "\t\"stage0\": [",
                "\t\t{",
                "\t\t\t\"rktVersion\": \"v1\",",
                "\t\t\t\"rktKind\": \"auth\",",
                "\t\t\t\"domains\": [",
                "\t\t\t\t\"example.com\"",
                "\t\t\t],",
                "\t\t\t\"type\": \"oauth\",",
                "\t\t\t\"credentials\": {",
                "\t\t\t\t\"token\": \"********\"",
                "\t\t\t}",
                "\t\t}",
                "\t]",
                "}", ""), r.out());
    }

    @Test
    void config_filesRktjDoesNotRead_namedOnStderrOneLineEach() throws Exception {
        Path docker = write("etc", "auth.d", "docker.json", "{\"rktKind\":\"dockerAuth\",\"rktVersion\":\"v1\","
                + "\"registries\":[\"quay.io\"],\"credentials\":{\"user\":\"u\",\"password\":\"docker-secret\"}}");
        Path paths = write("lib", "paths.d", "paths.json", "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":\"/srv/rkt\"}");
        Path stage1 = write("etc", "stage1.d", "s.json", "{\"rktKind\":\"stage1\",\"rktVersion\":\"v1\",\"name\":\"x\",\"version\":\"1\"}");

        Result r = rkt("config");

        assertEquals(0, r.code(), r.err());
        assertEquals("{\n\t\"stage0\": []\n}\n", r.out());
        assertEquals(List.of(
                "config: ignoring " + docker + ": rktj does not read rktKind \"dockerAuth\" configuration",
                "config: ignoring " + paths + ": rktj does not read paths configuration (give the data directory with --dir)",
                "config: ignoring " + stage1 + ": rktj does not read stage1 configuration (choose the stage1 with --stage1-name)"),
                r.err().lines().toList());
        assertFalse(r.err().contains("docker-secret"));
    }

    @Test
    void config_brokenAuthFile_oneLineNamingItAnd254() throws Exception {
        Path broken = write("etc", "auth.d", "broken.json", "{\"rktKind\":\"auth\", \"password\": \"s3cret\"");

        Result r = rkt("config");

        assertEquals(254, r.code());
        assertEquals("", r.out());
        assertEquals("config: auth config " + broken + " is not valid JSON\n", r.err());
        assertTrue(!r.err().contains("s3cret"));
    }
}
