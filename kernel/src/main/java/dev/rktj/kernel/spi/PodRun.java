package dev.rktj.kernel.spi;

import java.nio.file.Path;
import java.util.List;

/**
 * A request to run a prepared pod.
 *
 * @param uuid the pod UUID
 * @param podDir the pod directory (already in {@code pods/run/})
 * @param lockFile the file the pod's processes must hold an exclusive flock on for the pod's life
 * @param statusDir where the stage1 writes {@code <app>} files holding each app's exit code
 * @param apps the apps, in pod manifest order
 * @param interactive stdin and the terminal pass through to the single app
 * @param debug the user asked for {@code --debug}
 */
public record PodRun(
        String uuid,
        Path podDir,
        Path lockFile,
        Path statusDir,
        List<AppRun> apps,
        boolean interactive,
        boolean debug) {
    public PodRun {
        apps = List.copyOf(apps);
    }
}
