package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.KernelException;
import dev.rktj.kernel.pod.PodState;
import dev.rktj.kernel.view.PodRecord;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rkt status UUID}: rkt's {@code key=value} lines for one pod, from the pods view. */
@Command(name = "status", description = "Check the status of a rkt pod")
final class StatusCommand extends Sub implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "UUID")
    String uuid;

    @Option(names = "--uuid-file", description = "read pod UUID from file instead of argument")
    Path uuidFile;

    @Option(names = "--wait", arity = "0..1", fallbackValue = "true", defaultValue = "false",
            description = "toggles waiting for the pod to finish; a duration limits the wait (e.g. 10s)")
    String waitFor;

    @Option(names = "--format", defaultValue = "", description = "choose the output format: json, json-pretty")
    String format;

    @Override
    public Integer call() throws Exception {
        PodJson.checkFormat(format);
        String id = Uuids.argument(uuid, uuidFile, rkt().cwd());
        long limit = Durations.waitLimit(waitFor);
        long deadline = limit < 0 ? Long.MAX_VALUE : System.currentTimeMillis() + limit;
        try (Kernel kernel = kernel()) {
            PodRecord pod = find(kernel, id);
            while (limit != 0 && !pod.state().isFinished() && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
                pod = find(kernel, pod.uuid());
            }
            if (!format.isEmpty()) {
                out().println(PodJson.write(PodJson.pod(pod), format));
                return 0;
            }
            print(pod);
        }
        return 0;
    }

    private static PodRecord find(Kernel kernel, String prefix) throws KernelException {
        return Uuids.resolve(kernel.pods().reconcile().matching(prefix.toLowerCase(java.util.Locale.ROOT)), prefix);
    }

    private void print(PodRecord p) {
        out().println("state=" + p.state().text());
        out().println("created=" + Times.full(p.createdAt()));
        if (p.startedAt() > 0) {
            out().println("started=" + Times.full(p.startedAt()));
        }
        if (p.state() == PodState.RUNNING || p.state() == PodState.EXITED) {
            out().println("networks=");
        }
        if (p.state() == PodState.RUNNING || p.state() == PodState.EXITED || p.state() == PodState.EXITED_GARBAGE) {
            if (p.pid() > 0) {
                out().println("pid=" + p.pid());
            }
            out().println("exited=" + (p.state() != PodState.RUNNING));
            if (p.state() != PodState.RUNNING) {
                for (PodRecord.App a : p.apps()) {
                    if (a.exitCode() != null) {
                        out().println("app-" + a.name() + "=" + a.exitCode());
                    }
                }
            }
        }
    }
}
