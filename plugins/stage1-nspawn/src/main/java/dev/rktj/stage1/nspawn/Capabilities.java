package dev.rktj.stage1.nspawn;

import dev.rktj.kernel.spi.AppIsolators;
import dev.rktj.kernel.spi.Stage1Exception;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Owns an app's capability bounding set: appc's default set, or the app's retain set, or the
 * default minus its remove set (as rkt). Applied per app by {@code setpriv --bounding-set} in its
 * start script; the container's own set (systemd-nspawn's) is widened to hold every app's.
 */
final class Capabilities {

    /** ace.md's default set, which rkt applied to every app without a capabilities isolator. */
    static final List<String> APPC_DEFAULT = List.of("CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE",
            "CAP_FSETID", "CAP_FOWNER", "CAP_KILL", "CAP_MKNOD", "CAP_NET_RAW", "CAP_NET_BIND_SERVICE", "CAP_SETUID",
            "CAP_SETGID", "CAP_SETPCAP", "CAP_SETFCAP", "CAP_SYS_CHROOT");

    /** What the start chain itself uses after the set is applied: nsenter's chroot and setuid, setpriv's groups. */
    private static final List<String> NEEDED_BY_THE_CHAIN = List.of("CAP_SYS_CHROOT", "CAP_SETUID", "CAP_SETGID");

    /** Linux's capabilities, in number order (capability.h, up to 5.9's CAP_CHECKPOINT_RESTORE). */
    private static final Set<String> LINUX = Set.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
            "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
            "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
            "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    private Capabilities() {}

    /** The app's bounding set, checked: known names only, and never without what the chain needs. */
    static List<String> boundingSet(String app, AppIsolators isolators) throws Stage1Exception {
        List<String> set;
        if (isolators.capabilitiesRetain() != null) {
            set = new ArrayList<>(isolators.capabilitiesRetain());
        } else {
            set = new ArrayList<>(APPC_DEFAULT);
            if (isolators.capabilitiesRemove() != null) {
                set.removeAll(isolators.capabilitiesRemove());
            }
        }
        for (String name : set) {
            if (!LINUX.contains(name)) {
                throw new Stage1Exception("stage1 nspawn: app \"" + app + "\": unknown capability " + name);
            }
        }
        for (String needed : NEEDED_BY_THE_CHAIN) {
            if (!set.contains(needed)) {
                throw new Stage1Exception("stage1 nspawn: app \"" + app + "\": cannot enforce a capability set without "
                        + needed + ", which stage1 nspawn needs to start the app (chroot, setuid, setgid)");
            }
        }
        return set.stream().distinct().toList();
    }

    /** setpriv's spelling: {@code -all,+chown,+kill}. */
    static String setprivBoundingSet(List<String> set) {
        return "-all," + set.stream()
                .map(name -> "+" + name.substring("CAP_".length()).toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(","));
    }
}
