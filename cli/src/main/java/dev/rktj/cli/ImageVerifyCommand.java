package dev.rktj.cli;

import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.LocalImages.Verified;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rkt image verify [IMAGE...]} (new): checks each rendered tree against the digest recorded
 * when it was rendered and rebuilds a damaged one; exits 254 when one stays damaged.
 */
@Command(name = "verify", description = "Check the rendered trees of images (all when none is given) and rebuild damaged ones")
final class ImageVerifyCommand extends Sub implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "IMAGE")
    List<String> images = new ArrayList<>();

    @Option(names = "--full", arity = "0..1", fallbackValue = "true", description = "64-hex image IDs")
    boolean full;

    @Option(names = "--no-legend", arity = "0..1", fallbackValue = "true", description = "no header line")
    boolean noLegend;

    @Override
    public Integer call() throws Exception {
        requireRoot();
        List<Verified> results;
        try (Kernel kernel = kernel()) {
            results = kernel.localImages().verify(images, log());
        }
        TabWriter table = new TabWriter();
        if (!noLegend) {
            table.row("ID", "NAME", "STATUS");
        }
        boolean damagedLeft = false;
        for (Verified v : results) {
            String version = v.image().labels().get("version");
            String name = version == null ? v.image().name() : v.image().name() + ":" + version;
            table.row(full ? v.image().id().toString() : v.image().id().shortId(), name, v.status());
            damagedLeft |= v.damaged() && !v.rebuilt();
        }
        out().print(table.render());
        out().flush();
        return damagedLeft ? Rkt.EXIT_ERROR : 0;
    }
}
