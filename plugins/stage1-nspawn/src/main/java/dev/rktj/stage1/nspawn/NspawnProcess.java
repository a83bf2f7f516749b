package dev.rktj.stage1.nspawn;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.rktj.kernel.spi.PodExit;
import dev.rktj.kernel.spi.Stage1Process;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An nspawn pod as seen by the stage0 that started it: the {@code flock} process at the top of
 * the chain, and the status files the supervisor writes for each app.
 */
final class NspawnProcess implements Stage1Process {

    private final Process flock;
    private final List<String> apps;
    private final Path statusDir;

    NspawnProcess(Process flock, List<String> apps, Path statusDir) {
        this.flock = flock;
        this.apps = List.copyOf(apps);
        this.statusDir = statusDir;
    }

    @Override
    public long pid() {
        return flock.pid();
    }

    /**
     * rkt's rule over the status files: the first app in pod order that failed decides, else 0;
     * without any status file (the pod failed before an app ran, or was killed whole) the chain's
     * own exit code.
     */
    @Override
    public PodExit waitFor() throws InterruptedException {
        int chain = flock.waitFor();
        Map<String, Integer> codes = new LinkedHashMap<>();
        for (String app : apps) {
            try {
                codes.put(app, Integer.parseInt(Files.readString(statusDir.resolve(app), UTF_8).strip()));
            } catch (IOException | NumberFormatException e) {
                // the app never ended on its own
            }
        }
        if (codes.isEmpty()) {
            return new PodExit(chain, Map.of());
        }
        int code = codes.values().stream().filter(c -> c != 0).findFirst().orElse(0);
        return new PodExit(code, codes);
    }
}
