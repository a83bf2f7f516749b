package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rkt cat-manifest UUID}: the manifest of a pod. */
@Command(name = "cat-manifest", description = "Inspect and print the pod manifest")
final class CatManifestCommand extends Sub implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "UUID")
    String uuid;

    @Option(names = "--uuid-file", description = "read pod UUID from file instead of argument")
    Path uuidFile;

    @Mixin
    ManifestPrinting printing;

    @Override
    public Integer call() throws Exception {
        String id = Uuids.argument(uuid, uuidFile, rkt().cwd());
        byte[] manifest;
        try (Kernel kernel = kernel()) {
            manifest = kernel.pods().manifest(id);
        }
        out().println(printing.format(manifest, "pod manifest"));
        return 0;
    }
}
