package dev.rktj.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rktj.kernel.testing.TestRootfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runnable ACIs for end-to-end tests, made from the host's own binaries (no network needed). */
final class TestImages {

    private TestImages() {}

    /** A gzip ACI named {@code name} whose app runs {@code exec} as root, with sh and the usual tools inside. */
    static Path aci(Path dir, String name, List<String> exec) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory(dir, "aci");
        TestRootfs.build(work.resolve("rootfs"), "/bin/sh", "/bin/true", "/bin/echo", "/bin/sleep", "/bin/cat", "/usr/bin/id", "/bin/pwd");
        ObjectMapper m = new ObjectMapper();
        ObjectNode manifest = m.createObjectNode();
        manifest.put("acKind", "ImageManifest");
        manifest.put("acVersion", "0.8.11");
        manifest.put("name", name);
        ArrayNode labels = manifest.putArray("labels");
        labels.addObject().put("name", "version").put("value", "1.0");
        labels.addObject().put("name", "os").put("value", "linux");
        labels.addObject().put("name", "arch").put("value", "amd64");
        ObjectNode app = manifest.putObject("app");
        ArrayNode e = app.putArray("exec");
        exec.forEach(e::add);
        app.put("user", "0");
        app.put("group", "0");
        Files.writeString(work.resolve("manifest"), m.writeValueAsString(manifest));
        Path aci = dir.resolve(name.replace('/', '_') + ".aci");
        Process tar = new ProcessBuilder("tar", "-C", work.toString(), "-czf", aci.toString(), "manifest", "rootfs")
                .inheritIO().start();
        if (!tar.waitFor(60, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            throw new IOException("tar failed for " + aci);
        }
        dev.rktj.kernel.fs.SafeDelete.tree(work);
        return aci;
    }
}
