package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rkt run-prepared UUID}: exits with the pod's exit code. */
@Command(name = "run-prepared", description = "Run a prepared application pod in rkt")
final class RunPreparedCommand extends Sub implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "UUID")
    String uuid;

    @Option(names = "--interactive", arity = "0..1", fallbackValue = "true", description = "run pod interactively")
    boolean interactive;

    @Option(names = "--net", arity = "0..1", fallbackValue = "default", description = "networking (fly shares the host's)")
    String net;

    @Option(names = "--mds-register", arity = "0..1", fallbackValue = "true", description = "register pod with metadata service (not available)")
    boolean mdsRegister;

    @Override
    public Integer call() throws Exception {
        requireRoot();
        if (net != null && !net.equals("host") && !net.equals("default")) {
            throw new Errors.UserException("--net=" + net + " is not supported yet (only host networking is available)");
        }
        try (Kernel kernel = kernel()) {
            return kernel.pods().runPrepared(uuid, interactive, log());
        }
    }
}
