package dev.rktj.kernel.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

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
 * @param insecureOptions the protections the user turned off with {@code --insecure-options}, of
 *     {@link #INSECURE_CAPABILITIES}, {@link #INSECURE_PATHS} and {@link #INSECURE_SECCOMP}
 */
public record PodRun(
        String uuid,
        Path podDir,
        Path lockFile,
        Path statusDir,
        List<AppRun> apps,
        boolean interactive,
        boolean debug,
        Set<String> insecureOptions) {

    /** Apps keep every capability: no capability isolator, no bounding set (rkt's {@code capabilities}). */
    public static final String INSECURE_CAPABILITIES = "capabilities";
    /** No read-only or hidden kernel paths under /proc and /sys (rkt's {@code paths}). */
    public static final String INSECURE_PATHS = "paths";
    /** No system call filter, neither the app's nor the stage1's default (rkt's {@code seccomp}). */
    public static final String INSECURE_SECCOMP = "seccomp";

    public PodRun {
        apps = List.copyOf(apps);
        insecureOptions = Set.copyOf(insecureOptions);
    }

    /** With every protection on. */
    public PodRun(String uuid, Path podDir, Path lockFile, Path statusDir, List<AppRun> apps, boolean interactive,
            boolean debug) {
        this(uuid, podDir, lockFile, statusDir, apps, interactive, debug, Set.of());
    }

    /** The user turned this protection off. */
    public boolean insecure(String option) {
        return insecureOptions.contains(option);
    }
}
