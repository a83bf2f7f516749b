package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.KernelException;
import dev.rktj.kernel.RemoteFetchNeeded;
import dev.rktj.kernel.pod.PodService;
import dev.rktj.kernel.pod.PrepareRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rkt run IMAGE...}: prepares and runs a pod; exits with the pod's exit code. */
@Command(name = "run", description = "Run image(s) in a pod in rkt",
        customSynopsis = "rkt run [--stage1-name=NAME] [--interactive] [--uuid-file-save=FILE] IMAGE [--name= --exec= --user= --group= --working-dir= --readonly-rootfs] [-- args... ---]...")
final class RunCommand extends Sub implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "ARG")
    List<String> raw = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        requireRoot();
        RunArgs args = RunArgs.parse(raw, rkt(), false);
        StreamedClient client = rkt().inAgent == null ? null : rkt().inAgent.client();
        if (client != null && !client.canServe(rkt(), args)) {
            return 0; // nothing launched: the thin client runs it in-process
        }
        PrepareRequest request = new PrepareRequest(args.apps, args.stage1, args.pullPolicy, rkt().cwd(), args.uuidFileSave);
        try (Kernel kernel = kernel()) {
            if (rkt().inAgent != null && rkt().inAgent.launches() != null) {
                // in the journal agent: prepare, and let the thin client start the pod (ThinRun)
                PodService.Launched launched;
                try {
                    launched = kernel.pods().launch(request, args.interactive, log());
                } catch (KernelException e) {
                    if (RemoteFetchNeeded.in(e)) {
                        // a download belongs to the client, where the terminal is: nothing launched, so it runs in-process
                        return 0;
                    }
                    throw e;
                }
                if (launched != null) {
                    rkt().inAgent.launches().accept(launched);
                }
                return 0;
            }
            return kernel.pods().run(request, args.interactive, log());
        }
    }
}
