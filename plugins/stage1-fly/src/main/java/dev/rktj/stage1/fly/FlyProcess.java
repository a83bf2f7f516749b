package dev.rktj.stage1.fly;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.rktj.kernel.spi.PodExit;
import dev.rktj.kernel.spi.Stage1Process;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A fly pod as seen by the stage0 that started it: the {@code flock} process at the top of the
 * chain, and the status file the pod writes for its one app.
 */
final class FlyProcess implements Stage1Process {

    private final Process flock;
    private final String app;
    private final Path statusFile;

    FlyProcess(Process flock, String app, Path statusFile) {
        this.flock = flock;
        this.app = app;
        this.statusFile = statusFile;
    }

    @Override
    public long pid() {
        return flock.pid();
    }

    /**
     * The app's code from its status file; without one (the pod failed before the app ran, or was
     * killed as a whole) the chain's own exit code, and no app code.
     */
    @Override
    public PodExit waitFor() throws InterruptedException {
        int chain = flock.waitFor();
        Optional<Integer> appCode = readStatus(statusFile);
        return appCode
                .map(code -> new PodExit(code, Map.of(app, code)))
                .orElseGet(() -> new PodExit(chain, Map.of()));
    }

    static Optional<Integer> readStatus(Path statusFile) {
        try {
            return Optional.of(Integer.parseInt(Files.readString(statusFile, UTF_8).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
