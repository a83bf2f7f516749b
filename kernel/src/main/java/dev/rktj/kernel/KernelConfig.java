package dev.rktj.kernel;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Where the kernel keeps things and how the user asked it to behave.
 *
 * @param dataDir {@code --dir}, absolute with symlinks resolved
 * @param localConfig {@code --local-config}
 * @param systemConfig {@code --system-config}
 * @param pluginDirs directories searched for plugins, in order
 * @param insecureOptions {@code --insecure-options}, expanded ({@code all} → every value)
 * @param debug {@code --debug}
 * @param agentCommand how to start the journal agent for this data dir, or null to never start one
 * @param trustKeysFromHttps {@code --trust-keys-from-https}: trust the keys a discovery over https
 *     offers for an image name no key is trusted for, without asking
 * @param userConfig {@code --user-config}, or null: configuration that overrides the local one
 *     (rkt reads its {@code auth.d} after the local and system ones; its keystore never)
 */
public record KernelConfig(Path dataDir, Path localConfig, Path systemConfig, List<Path> pluginDirs,
                           Set<String> insecureOptions, boolean debug, List<String> agentCommand,
                           boolean trustKeysFromHttps, Path userConfig) {
    public KernelConfig {
        pluginDirs = List.copyOf(pluginDirs);
        insecureOptions = Set.copyOf(insecureOptions);
        agentCommand = agentCommand == null ? null : List.copyOf(agentCommand);
    }

    /** Without {@code --user-config}. */
    public KernelConfig(Path dataDir, Path localConfig, Path systemConfig, List<Path> pluginDirs,
                        Set<String> insecureOptions, boolean debug, List<String> agentCommand, boolean trustKeysFromHttps) {
        this(dataDir, localConfig, systemConfig, pluginDirs, insecureOptions, debug, agentCommand, trustKeysFromHttps, null);
    }

    /** Without {@code --trust-keys-from-https} and {@code --user-config}. */
    public KernelConfig(Path dataDir, Path localConfig, Path systemConfig, List<Path> pluginDirs,
                        Set<String> insecureOptions, boolean debug, List<String> agentCommand) {
        this(dataDir, localConfig, systemConfig, pluginDirs, insecureOptions, debug, agentCommand, false, null);
    }

    /** The configuration directories in the order they override each other: system, local, then user if given. */
    public List<Path> configDirs() {
        return userConfig == null ? List.of(systemConfig, localConfig) : List.of(systemConfig, localConfig, userConfig);
    }

    public boolean insecure(String option) {
        return insecureOptions.contains(option);
    }
}
