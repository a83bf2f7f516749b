package dev.rktj.kernel.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rkt's auth.d merge rules, and where the credentials may go. */
class AuthConfigTest {

    @TempDir
    Path dir;

    private Path write(String configDir, String file, String json) throws IOException {
        Path d = Files.createDirectories(dir.resolve(configDir).resolve("auth.d"));
        return Files.writeString(d.resolve(file), json);
    }

    private static String basic(String user, String password, String... domains) {
        return "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":" + list(domains)
                + ",\"type\":\"basic\",\"credentials\":{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}}";
    }

    private static String oauth(String token, String... domains) {
        return "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":" + list(domains)
                + ",\"type\":\"oauth\",\"credentials\":{\"token\":\"" + token + "\"}}";
    }

    private static String list(String... items) {
        return "[\"" + String.join("\",\"", items) + "\"]";
    }

    private AuthConfig read(String... configDirs) throws IOException {
        return AuthConfig.read(List.of(configDirs).stream().map(dir::resolve).toList());
    }

    private static String basicHeader(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void read_laterDirectoriesOverridePerDomain() throws Exception {
        write("lib", "common.json", oauth("common-token", "coreos.com", "tectonic.com", "kubernetes.io"));
        write("etc", "coreos.json", basic("foo", "bar", "coreos.com"));
        write("user", "tectonic.json", oauth("tectonic-token", "tectonic.com"));

        AuthConfig auth = read("lib", "etc", "user");

        assertEquals(List.of("coreos.com", "kubernetes.io", "tectonic.com"), List.copyOf(auth.entries().keySet()));
        assertEquals(basicHeader("foo", "bar"), auth.authorization("https://coreos.com/x.aci", false));
        assertEquals("Bearer common-token", auth.authorization("https://kubernetes.io/x.aci", false));
        assertEquals("Bearer tectonic-token", auth.authorization("https://tectonic.com/x.aci", false));
        assertEquals(dir.resolve("etc/auth.d/coreos.json"), auth.entries().get("coreos.com").file());
    }

    @Test
    void read_oneDomainTwiceInOneDirectory_refusedNamingBothFiles() throws Exception {
        Path first = write("etc", "a.json", oauth("t1", "example.com"));
        Path second = write("etc", "b.json", oauth("t2", "example.com"));

        IOException e = assertThrows(IOException.class, () -> read("lib", "etc"));

        assertTrue(e.getMessage().contains(second.toString()) && e.getMessage().contains(first.toString()), e.getMessage());
        assertTrue(!e.getMessage().contains("t1") && !e.getMessage().contains("t2"), "no secret in the message: " + e.getMessage());
    }

    @Test
    void read_dockerAuthPassedOverAndListed() throws Exception {
        Path docker = write("etc", "docker.json", "{\"rktKind\":\"dockerAuth\",\"rktVersion\":\"v1\",\"registries\":[\"quay.io\"],"
                + "\"credentials\":{\"user\":\"u\",\"password\":\"p\"}}");

        AuthConfig auth = read("lib", "etc");

        assertTrue(auth.entries().isEmpty());
        assertEquals(List.of(new AuthConfig.Skipped(docker, "dockerAuth")), auth.skipped());
    }

    @Test
    void read_unsupportedTypeOrMissingSecret_refusedNamingTheFileNotTheSecret() throws Exception {
        Path aws = write("etc", "aws.json", "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"a.com\"],\"type\":\"aws\","
                + "\"credentials\":{\"accessKeyID\":\"AKIASECRET\"}}");

        IOException typeError = assertThrows(IOException.class, () -> read("etc"));
        Files.delete(aws);
        write("etc", "nopass.json", "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"a.com\"],\"type\":\"basic\","
                + "\"credentials\":{\"user\":\"u\"}}");
        IOException missing = assertThrows(IOException.class, () -> read("etc"));

        assertTrue(typeError.getMessage().contains("aws.json") && typeError.getMessage().contains("\"aws\""), typeError.getMessage());
        assertTrue(!typeError.getMessage().contains("AKIASECRET"), typeError.getMessage());
        assertTrue(missing.getMessage().endsWith("credentials.password is missing"), missing.getMessage());
    }

    @Test
    void read_authDThatIsAFile_saysItShouldBeADirectory() throws Exception {
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/auth.d"), "not a directory");

        IOException e = assertThrows(IOException.class, () -> read("etc"));

        assertEquals("expected " + dir.resolve("etc/auth.d") + " to be a directory", e.getMessage());
    }

    @Test
    void authorization_onlyForTheExactHost_andNeverOverPlainHttpUnlessAllowed() throws Exception {
        write("etc", "a.json", oauth("t", "example.com", "registry.test:5000"));
        AuthConfig auth = read("etc");

        assertEquals("Bearer t", auth.authorization("https://EXAMPLE.com/app.aci", false));
        assertNull(auth.authorization("https://sub.example.com/app.aci", false));
        assertNull(auth.authorization("https://example.com.evil.test/app.aci", false));
        assertNull(auth.authorization("http://example.com/app.aci", false));
        assertEquals("Bearer t", auth.authorization("http://example.com/app.aci", true));
        assertEquals("Bearer t", auth.authorization("https://registry.test:5000/app.aci", false));
        assertNull(auth.authorization("https://registry.test/app.aci", false));
    }
}
