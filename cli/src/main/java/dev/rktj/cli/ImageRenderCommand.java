package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.KernelException;
import java.nio.file.Path;
import picocli.CommandLine.Command;

/** {@code rkt image render IMAGE DIR}: the image as its apps see it, dependencies applied. */
@Command(name = "render", description = "Render a stored image to a directory with all its dependencies")
final class ImageRenderCommand extends ImageTreeCommand {

    @Override
    void write(Kernel kernel, Path out) throws KernelException {
        kernel.localImages().render(image, out, rootfsOnly, overwrite);
    }
}
