package dev.rktj.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import picocli.CommandLine.Option;

/**
 * {@code --pretty-print} of the commands that print JSON documents (the cat-manifest commands,
 * {@code config}): tab-indented as rkt prints them, or one line.
 */
final class ManifestPrinting {

    @Option(names = "--pretty-print", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "apply indent to format the output (default: ${DEFAULT-VALUE})")
    boolean prettyPrint;

    String format(byte[] json, String what) {
        try {
            return format(PodJson.MAPPER.readTree(json));
        } catch (IOException e) {
            throw new Errors.UserException("the stored " + what + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    String format(JsonNode node) throws JsonProcessingException {
        return PodJson.write(node, prettyPrint ? "json-pretty" : "json");
    }
}
