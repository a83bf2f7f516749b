package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.KernelException;
import java.nio.file.Path;
import picocli.CommandLine.Command;

/** {@code rkt image extract IMAGE DIR}: the image's own files, without its dependencies. */
@Command(name = "extract", description = "Extract a stored image to a directory")
final class ImageExtractCommand extends ImageTreeCommand {

    @Override
    void write(Kernel kernel, Path out) throws KernelException {
        kernel.localImages().extract(image, out, rootfsOnly, overwrite);
    }
}
