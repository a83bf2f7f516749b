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
 *     ({@code resource/cpu}, seccomp sets, ...): a stage1 must refuse or report each of them
 */
public record AppIsolators(
        Long memoryLimit,
        List<String> capabilitiesRetain,
        List<String> capabilitiesRemove,
        boolean noNewPrivileges,
        List<String> others) {

    /** No isolators at all. */
    public static final AppIsolators NONE = new AppIsolators(null, null, null, false, List.of());

    public AppIsolators {
        capabilitiesRetain = capabilitiesRetain == null ? null : List.copyOf(capabilitiesRetain);
        capabilitiesRemove = capabilitiesRemove == null ? null : List.copyOf(capabilitiesRemove);
        others = List.copyOf(others);
    }

    public boolean isEmpty() {
        return memoryLimit == null && capabilitiesRetain == null && capabilitiesRemove == null && !noNewPrivileges
                && others.isEmpty();
    }
}
