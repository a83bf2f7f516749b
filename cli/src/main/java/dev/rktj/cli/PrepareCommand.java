package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.pod.PrepareRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rkt prepare IMAGE...}: prints only the new pod's UUID. */
@Command(name = "prepare", description = "Prepare a pod to be run later",
        customSynopsis = "rkt prepare [--stage1-name=NAME] [--uuid-file-save=FILE] [--quiet] IMAGE [--name= --exec= --user= --group= --working-dir= --readonly-rootfs] [-- args... ---]...")
final class PrepareCommand extends Sub implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "ARG")
    List<String> raw = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        requireRoot();
        RunArgs args = RunArgs.parse(raw, rkt(), true);
        StreamedClient client = rkt().inAgent == null ? null : rkt().inAgent.client();
        if (client != null && !client.canServe(rkt(), args)) {
            client.decline(); // nothing done yet: the client prepares itself
            return 0;
        }
        try (Kernel kernel = kernel()) {
            String uuid = kernel.pods().prepare(new PrepareRequest(args.apps, args.stage1, args.pullPolicy, rkt().cwd(),
                    args.uuidFileSave), log());
            out().println(uuid);
        }
        return 0;
    }
}
