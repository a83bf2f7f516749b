package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rkt enter [--app=NAME] UUID [CMD...]}: runs a command inside a running pod. */
@Command(name = "enter", description = "Enter the namespaces of an app within a rkt pod")
final class EnterCommand extends Sub implements Callable<Integer> {

    @Option(names = "--app", paramLabel = "NAME", description = "name of the app to enter within the specified pod")
    String app;

    @Parameters(index = "0", paramLabel = "UUID")
    String uuid;

    /** Everything after the UUID, options included (the parser stops at the first positional). */
    @Parameters(index = "1..*", paramLabel = "CMD")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        requireRoot();
        try (Kernel kernel = kernel()) {
            return kernel.pods().control().enter(uuid, app, command, log());
        }
    }
}
