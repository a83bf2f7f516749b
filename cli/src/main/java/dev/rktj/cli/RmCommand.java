package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rkt rm UUID...}: removes exited and prepared pods now. */
@Command(name = "rm", description = "Remove all files and resources associated with an exited pod")
final class RmCommand extends Sub implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "UUID")
    List<String> uuids = new ArrayList<>();

    @Option(names = "--uuid-file", description = "read pod UUID from file instead of argument")
    Path uuidFile;

    @Override
    public Integer call() throws Exception {
        requireRoot();
        List<String> targets = Uuids.arguments(uuids, uuidFile, rkt().cwd());
        try (Kernel kernel = kernel()) {
            if (!kernel.pods().rm(targets, log())) {
                err().println(prefix() + "failed to remove one or more pods");
                return Rkt.EXIT_ERROR;
            }
        }
        return 0;
    }
}
