package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rkt image export IMAGE FILE.aci}: the stored archive, uncompressed, written whole or not at all. */
@Command(name = "export", description = "Export a stored image to an ACI file")
final class ImageExportCommand extends Sub implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IMAGE", description = "an image ID (prefix) or name")
    String image;

    @Parameters(index = "1", paramLabel = "OUTPUT_ACI_FILE")
    Path file;

    @Option(names = "--overwrite", description = "overwrite output ACI")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        try (Kernel kernel = kernel()) {
            kernel.localImages().export(image, rkt().cwd().resolve(file), overwrite);
        }
        return 0;
    }
}
