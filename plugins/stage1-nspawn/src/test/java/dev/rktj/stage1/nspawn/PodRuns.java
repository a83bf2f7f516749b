package dev.rktj.stage1.nspawn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.spi.AppIsolators;
import dev.rktj.kernel.spi.AppRun;
import dev.rktj.kernel.spi.PodRun;
import dev.rktj.kernel.spi.Stage1Fixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Variations of a fixture's pods for the nspawn tests, and where to look at what the apps did. */
final class PodRuns {

    private PodRuns() {}

    /** The same pod, its first app given handlers and isolators. */
    static PodRun with(PodRun pod, List<String> preStart, List<String> postStop, AppIsolators isolators) {
        List<AppRun> apps = new ArrayList<>(pod.apps());
        AppRun a = apps.get(0);
        apps.set(0, new AppRun(a.name(), a.imageId(), a.tree(), a.appDir(), a.exec(), a.environment(), a.uid(), a.gid(),
                a.supplementaryGids(), a.workingDirectory(), a.readOnlyRootfs(), preStart, postStop, isolators));
        return new PodRun(pod.uuid(), pod.podDir(), pod.lockFile(), pod.statusDir(), apps, pod.interactive(), pod.debug(),
                pod.insecureOptions());
    }

    /** The same pod, its first app given isolators. */
    static PodRun with(PodRun pod, AppIsolators isolators) {
        return with(pod, pod.apps().get(0).preStart(), pod.apps().get(0).postStop(), isolators);
    }

    /** The same pod, every app running in {@code tree}. */
    static PodRun withTree(PodRun pod, Path tree) {
        List<AppRun> apps = pod.apps().stream().map(a -> new AppRun(a.name(), a.imageId(), tree, a.appDir(), a.exec(),
                a.environment(), a.uid(), a.gid(), a.supplementaryGids(), a.workingDirectory(), a.readOnlyRootfs(),
                a.preStart(), a.postStop(), a.isolators())).toList();
        return new PodRun(pod.uuid(), pod.podDir(), pod.lockFile(), pod.statusDir(), apps, pod.interactive(), pod.debug(),
                pod.insecureOptions());
    }

    /** The same pod run with {@code --insecure-options} of these. */
    static PodRun insecure(PodRun pod, String... options) {
        return new PodRun(pod.uuid(), pod.podDir(), pod.lockFile(), pod.statusDir(), pod.apps(), pod.interactive(),
                pod.debug(), Set.of(options));
    }

    /** What an app wrote to its rootfs. */
    static Path upper(PodRun pod, int app) {
        return pod.apps().get(app).appDir().resolve("upper");
    }

    /** The app wrote its pid: its start script is running, and is about to become the app. */
    static void awaitRunning(PodRun pod, String app) throws Exception {
        Path pid = pod.podDir().resolve("stage1/rootfs/rkt/apps").resolve(app).resolve("pid");
        assertTrue(Stage1Fixture.awaitFile(Duration.ofSeconds(20), pid).isPresent(), "app " + app + " did not start");
        Thread.sleep(300);
    }
}
