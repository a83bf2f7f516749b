package dev.rktj.stage1.nspawn;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Owns what the supervisor mounts in each app's rootfs, written as one fstab for the pod
 * ({@code /rkt/fstab}, mounted by a single {@code mount --all}): the container's /dev, /proc and
 * /sys, a /tmp of the app's own, and, unless {@code --insecure-options=paths}, rkt's protection of
 * kernel tunables: read-only paths, and hidden ones (an empty read-only tmpfs over a directory, an
 * unreadable empty file over a file).
 */
final class AppMounts {

    /** rkt's read-only kernel paths (systemd's ReadOnlyPaths= of every app unit). */
    static final List<String> READ_ONLY = List.of("/proc/bus", "/proc/sys/kernel/core_pattern",
            "/proc/sys/kernel/modprobe", "/proc/sys/vm/panic_on_oom", "/proc/sysrq-trigger", "/sys/block", "/sys/bus",
            "/sys/class", "/sys/dev", "/sys/devices", "/sys/kernel");
    /** rkt's hidden kernel directories. */
    static final List<String> HIDDEN_DIRECTORIES = List.of("/sys/firmware", "/sys/fs", "/sys/hypervisor",
            "/sys/module", "/sys/power");
    /** rkt's hidden kernel files. */
    static final List<String> HIDDEN_FILES = List.of("/proc/config.gz", "/proc/kallsyms", "/proc/sched_debug",
            "/proc/kcore", "/proc/kmem", "/proc/mem");

    /** An empty file no one may read, in the stage1 rootfs, bound over hidden files. */
    static final String INACCESSIBLE = "/rkt/inaccessible";

    private final StringBuilder fstab = new StringBuilder();

    /**
     * Adds one app's mounts. The kernel paths are the host's: the container's /proc and /sys come
     * from the same kernel, so a path missing here is missing there, and is left out (mount(8)
     * would fail on it).
     */
    void add(String app, boolean protectKernelPaths) {
        String root = AppScripts.rootfs(app);
        line("/dev", root + "/dev", "none", "rbind");
        line("/proc", root + "/proc", "none", "rbind");
        line("/sys", root + "/sys", "none", "rbind");
        line("tmpfs", root + "/tmp", "tmpfs", "mode=1777,nosuid,nodev");
        if (!protectKernelPaths) {
            return;
        }
        for (String path : READ_ONLY) {
            if (Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS)) {
                line(path, root + path, "none", "bind,ro");
            }
        }
        for (String path : HIDDEN_DIRECTORIES) {
            if (Files.isDirectory(Path.of(path), LinkOption.NOFOLLOW_LINKS)) {
                line("tmpfs", root + path, "tmpfs", "ro,nosuid,nodev,noexec,mode=000");
            }
        }
        for (String path : HIDDEN_FILES) {
            if (Files.isRegularFile(Path.of(path), LinkOption.NOFOLLOW_LINKS)) {
                line(INACCESSIBLE, root + path, "none", "bind,ro");
            }
        }
    }

    String fstab() {
        return fstab.toString();
    }

    /** App names are AC names and kernel paths plain: no field needs fstab's octal escapes. */
    private void line(String source, String target, String type, String options) {
        fstab.append(source).append(' ').append(target).append(' ').append(type).append(' ').append(options).append(" 0 0\n");
    }
}
