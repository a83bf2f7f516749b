package dev.rktj.kernel.pod;

import java.nio.file.Path;

/** A child JVM for {@link PodLockTest}: takes the watch byte of {@code <podDir>}, says "locked", holds it until stdin ends. */
public final class WatchInAnotherProcess {

    public static void main(String[] args) throws Exception {
        try (PodLock watch = PodLock.watch(Path.of(args[0]))) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock until the test closes our stdin
            }
        }
    }
}
