package dev.rktj.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rktj.kernel.Configuration;
import dev.rktj.kernel.Kernel;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code rkt config}: the merged configuration as rkt prints it, {@code {"stage0": [...]}} with one
 * {@code auth} entry per domain; passwords and tokens hidden. Files rktj does not read are named on
 * stderr, one line each.
 */
@Command(name = "config", description = "Print configuration for each stage in JSON format")
final class ConfigCommand extends Sub implements Callable<Integer> {

    @Mixin
    ManifestPrinting printing;

    @Override
    public Integer call() throws Exception {
        Configuration config;
        try (Kernel kernel = kernel()) {
            config = kernel.configuration();
        }
        for (Configuration.Unread u : config.unread()) {
            err().println(prefix() + "ignoring " + u.file() + ": " + u.reason());
        }
        ObjectNode root = PodJson.MAPPER.createObjectNode();
        ArrayNode stage0 = root.putArray("stage0");
        for (Configuration.Auth a : config.auth()) {
            ObjectNode entry = stage0.addObject();
            entry.put("rktVersion", "v1");
            entry.put("rktKind", "auth");
            entry.putArray("domains").add(a.domain());
            entry.put("type", a.type());
            ObjectNode credentials = entry.putObject("credentials");
            a.credentials().forEach(credentials::put);
        }
        out().println(printing.format(root));
        return 0;
    }
}
