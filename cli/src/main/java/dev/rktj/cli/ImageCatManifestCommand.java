package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code rkt image cat-manifest IMAGE}: the image manifest of a stored image. */
@Command(name = "cat-manifest", description = "Inspect and print the image manifest")
final class ImageCatManifestCommand extends Sub implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IMAGE", description = "an image ID (prefix) or name")
    String image;

    @Mixin
    ManifestPrinting printing;

    @Override
    public Integer call() throws Exception {
        byte[] manifest;
        try (Kernel kernel = kernel()) {
            manifest = kernel.localImages().manifest(image);
        }
        out().println(printing.format(manifest, "image manifest"));
        return 0;
    }
}
