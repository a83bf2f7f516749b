package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rkt image gc}: removes unused rendered trees, then images unused for the grace period. */
@Command(name = "gc", description = "Garbage collect local store")
final class ImageGcCommand extends Sub implements Callable<Integer> {

    @Option(names = "--grace-period", defaultValue = "24h0m0s",
            description = "duration to wait since an image was last used before removing it (default: ${DEFAULT-VALUE})")
    String gracePeriod;

    @Override
    public Integer call() throws Exception {
        var grace = Durations.parse(gracePeriod);
        try (Kernel kernel = kernel()) {
            return kernel.localImages().gc(grace, log()) ? 0 : Rkt.EXIT_ERROR;
        }
    }
}
