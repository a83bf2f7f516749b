package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rkt image rm IMAGE...}: removes images (ID prefixes or names) from the store. */
@Command(name = "rm", description = "Remove one or more images with the given IDs or image names from the local store")
final class ImageRmCommand extends Sub implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "IMAGE")
    List<String> images = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        try (Kernel kernel = kernel()) {
            return kernel.localImages().remove(images, log()) ? 0 : Rkt.EXIT_ERROR;
        }
    }
}
