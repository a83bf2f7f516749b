package dev.rktj.kernel.spi;

import java.util.Set;

/**
 * What a stage1 declares about itself.
 *
 * @param name short name used by {@code --stage1-name} ({@code fly})
 * @param appcName rkt's image name for the flavor ({@code coreos.com/rkt/stage1-fly}), also accepted by {@code --stage1-name}
 * @param version the plugin's version
 * @param capabilities what it supports; the kernel refuses options outside this set
 */
public record Stage1Info(String name, String appcName, String version, Set<Stage1Capability> capabilities) {
    public Stage1Info {
        capabilities = Set.copyOf(capabilities);
    }

    public boolean can(Stage1Capability capability) {
        return capabilities.contains(capability);
    }
}
