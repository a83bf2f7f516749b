package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.KernelException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What {@code image extract} and {@code image render} share: an image, an output directory, and how to write it. */
abstract class ImageTreeCommand extends Sub implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IMAGE", description = "an image ID (prefix) or name")
    String image;

    @Parameters(index = "1", paramLabel = "OUTPUT_DIR")
    Path dir;

    @Option(names = "--rootfs-only", description = "write only the rootfs's content")
    boolean rootfsOnly;

    @Option(names = "--overwrite", description = "overwrite output directory")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        try (Kernel kernel = kernel()) {
            write(kernel, rkt().cwd().resolve(dir));
        }
        return 0;
    }

    abstract void write(Kernel kernel, Path out) throws KernelException;
}
