package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rkt stop [--force] UUID...}: asks each pod's stage1 to stop it. */
@Command(name = "stop", description = "Stop a pod")
final class StopCommand extends Sub implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "UUID")
    List<String> uuids = new ArrayList<>();

    @Option(names = "--force", arity = "0..1", fallbackValue = "true", description = "forced stopping")
    boolean force;

    @Option(names = "--uuid-file", description = "read pod UUID from file instead of argument")
    Path uuidFile;

    @Override
    public Integer call() throws Exception {
        requireRoot();
        List<String> targets = Uuids.arguments(uuids, uuidFile, rkt().cwd());
        try (Kernel kernel = kernel()) {
            int failed = kernel.pods().control().stop(targets, force, log());
            if (failed > 0) {
                err().println(prefix() + "failed to stop " + failed + " pod(s)");
                return Rkt.EXIT_ERROR;
            }
        }
        return 0;
    }
}
