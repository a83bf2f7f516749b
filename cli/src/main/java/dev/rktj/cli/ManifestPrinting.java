package dev.rktj.cli;

import java.io.IOException;
import picocli.CommandLine.Option;

/** {@code --pretty-print} of the cat-manifest commands: the stored JSON, re-indented as rkt prints it. */
final class ManifestPrinting {

    @Option(names = "--pretty-print", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "apply indent to format the output (default: ${DEFAULT-VALUE})")
    boolean prettyPrint;

    String format(byte[] json, String what) {
        try {
            return PodJson.write(PodJson.MAPPER.readTree(json), prettyPrint ? "json-pretty" : "json");
        } catch (IOException e) {
            throw new Errors.UserException("the stored " + what + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
