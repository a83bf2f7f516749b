package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.PullPolicy;
import dev.rktj.kernel.image.StoredImage;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rkt fetch IMAGE...}: one image ID per image on stdout. */
@Command(name = "fetch", description = "Fetch image(s) and store them in the local store")
final class FetchCommand extends Sub implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "IMAGE")
    List<String> images;

    @Option(names = "--full", description = "print the full image hash after fetching")
    boolean full;

    @Option(names = "--pull-policy", defaultValue = "update", description = "when to pull an image: new, update or never (default: ${DEFAULT-VALUE})")
    String pullPolicy;

    @Option(names = "--store-only", hidden = true, description = "deprecated: --pull-policy=never")
    boolean storeOnly;

    @Option(names = "--no-store", hidden = true, description = "deprecated: --pull-policy=update")
    boolean noStore;

    @Option(names = "--signature", description = "local signature file to use in validating the preceding image")
    List<String> signatures;

    @Override
    public Integer call() throws Exception {
        if (signatures != null && !signatures.isEmpty()) {
            throw new Errors.UserException("--signature is not supported yet (signature verification comes with rkt trust)");
        }
        PullPolicy policy = storeOnly ? PullPolicy.NEVER : noStore ? PullPolicy.UPDATE : PullPolicy.parse(pullPolicy);
        try (Kernel kernel = kernel()) {
            for (String image : images) {
                StoredImage stored = kernel.images().get(image, policy, rkt().cwd(), true, log());
                out().println(full ? stored.id().toString() : stored.id().fetchId());
            }
        }
        return 0;
    }
}
