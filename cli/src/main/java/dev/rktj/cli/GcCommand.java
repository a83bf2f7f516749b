package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.pod.GcRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rkt gc}: marks exited pods as garbage and deletes them after the grace period. */
@Command(name = "gc", description = "Garbage collect rkt pods no longer in use")
final class GcCommand extends Sub implements Callable<Integer> {

    @Option(names = "--grace-period", defaultValue = "30m0s", description = "duration to wait before discarding inactive pods from garbage (default: ${DEFAULT-VALUE})")
    String gracePeriod;

    @Option(names = "--expire-prepared", defaultValue = "24h0m0s", description = "duration to wait before expiring prepared pods (default: ${DEFAULT-VALUE})")
    String expirePrepared;

    @Option(names = "--mark-only", arity = "0..1", fallbackValue = "true", description = "only move pods to the garbage directories")
    boolean markOnly;

    @Override
    public Integer call() throws Exception {
        requireRoot();
        GcRequest request = new GcRequest(Durations.parse(gracePeriod), Durations.parse(expirePrepared), markOnly);
        try (Kernel kernel = kernel()) {
            kernel.pods().gc(request, log());
        }
        return 0;
    }
}
