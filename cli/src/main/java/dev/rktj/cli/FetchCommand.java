package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.PullPolicy;
import dev.rktj.kernel.image.StoredImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Stack;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;

/** {@code rkt fetch IMAGE...}: one image ID per image on stdout. */
@Command(name = "fetch", description = "Fetch image(s) and store them in the local store")
final class FetchCommand extends Sub implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "IMAGE")
    List<String> images = new ArrayList<>();

    @Option(names = "--full", description = "print the full image hash after fetching")
    boolean full;

    @Option(names = "--pull-policy", defaultValue = "update", description = "when to pull an image: new, update or never (default: ${DEFAULT-VALUE})")
    String pullPolicy;

    @Option(names = "--store-only", hidden = true, description = "deprecated: --pull-policy=never")
    boolean storeOnly;

    @Option(names = "--no-store", hidden = true, description = "deprecated: --pull-policy=update")
    boolean noStore;

    @Option(names = "--signature", paramLabel = "FILE", parameterConsumer = PrecedingImage.class,
            description = "local signature file to use in validating the preceding image")
    List<String> signatureOption;

    /** {@code --signature} files by the index of the image they follow. */
    private final Map<Integer, Path> signatures = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        PullPolicy policy = storeOnly ? PullPolicy.NEVER : noStore ? PullPolicy.UPDATE : PullPolicy.parse(pullPolicy);
        StreamedClient client = rkt().inAgent == null ? null : rkt().inAgent.client();
        if (client != null && !client.canServe(rkt(), images, signatures::get)) {
            client.decline();
            return 0;
        }
        try (Kernel kernel = kernel()) {
            for (int i = 0; i < images.size(); i++) {
                StoredImage stored = kernel.images().get(images.get(i), signatures.get(i), policy, rkt().cwd(), true, log());
                out().println(full ? stored.id().toString() : stored.id().fetchId());
            }
        }
        return 0;
    }

    /** Pairs each {@code --signature} with the image before it, as rkt does: the order on the command line matters. */
    static final class PrecedingImage implements IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
            FetchCommand fetch = (FetchCommand) commandSpec.userObject();
            if (args.isEmpty()) {
                throw new ParameterException(commandSpec.commandLine(), "flag needs an argument: --signature");
            }
            if (fetch.images.isEmpty()) {
                throw new ParameterException(commandSpec.commandLine(), "--signature must follow the image it applies to");
            }
            fetch.signatures.put(fetch.images.size() - 1, fetch.rkt().cwd().resolve(args.pop()));
        }
    }
}
