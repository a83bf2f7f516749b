package dev.rktj.kernel.spi;

import java.util.List;

/**
 * The isolators of one app, translated by the kernel from the appc manifest so a stage1 needs no
 * appc knowledge. A stage1 that cannot enforce one of them refuses the pod naming it; it never
 * runs the app without it.
 *
 * @param memoryLimit {@code resource/memory} limit in bytes, or null when none is set
 * @param capabilitiesRetain {@code os/linux/capabilities-retain-set} ({@code CAP_*} names), or null
 * @param capabilitiesRemove {@code os/linux/capabilities-remove-set}, or null
 * @param noNewPrivileges {@code os/linux/no-new-privileges}
 * @param others the names of the app's other isolators, which the kernel does not translate
 *     (SELinux, AppArmor, block I/O, ...): a stage1 must refuse or report each of them
 * @param cpuMillis {@code resource/cpu} limit in thousandths of a CPU ({@code 500m} is 500, {@code 2} is 2000), or null
 * @param cpuShares {@code os/linux/cpu-shares} (2 to 262144, the cgroup v1 weight; 1024 is the default), or null
 * @param syscalls {@code os/linux/seccomp-retain-set} or {@code -remove-set}, or null when the app has
 *     neither (the stage1 then applies its default filter)
 */
public record AppIsolators(
        Long memoryLimit,
        List<String> capabilitiesRetain,
        List<String> capabilitiesRemove,
        boolean noNewPrivileges,
        List<String> others,
        Long cpuMillis,
        Long cpuShares,
        SyscallFilter syscalls) {

    /** No isolators at all. */
    public static final AppIsolators NONE = new AppIsolators(null, null, null, false, List.of());

    public AppIsolators {
        capabilitiesRetain = capabilitiesRetain == null ? null : List.copyOf(capabilitiesRetain);
        capabilitiesRemove = capabilitiesRemove == null ? null : List.copyOf(capabilitiesRemove);
        others = List.copyOf(others);
    }

    /** Without CPU or system call isolators. */
    public AppIsolators(Long memoryLimit, List<String> capabilitiesRetain, List<String> capabilitiesRemove,
            boolean noNewPrivileges, List<String> others) {
        this(memoryLimit, capabilitiesRetain, capabilitiesRemove, noNewPrivileges, others, null, null, null);
    }

    public boolean isEmpty() {
        return memoryLimit == null && capabilitiesRetain == null && capabilitiesRemove == null && !noNewPrivileges
                && others.isEmpty() && cpuMillis == null && cpuShares == null && syscalls == null;
    }
}
