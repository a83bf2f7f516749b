package dev.rktj.kernel.plugin;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pf4j.DefaultPluginManager;
import org.pf4j.ExtensionFinder;
import org.pf4j.JarPluginLoader;
import org.pf4j.JarPluginRepository;
import org.pf4j.LegacyExtensionFinder;
import org.pf4j.ManifestPluginDescriptorFinder;
import org.pf4j.Plugin;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginDescriptorFinder;
import org.pf4j.PluginFactory;
import org.pf4j.PluginLoader;
import org.pf4j.PluginRepository;
import org.pf4j.PluginRuntimeException;
import org.pf4j.PluginState;
import org.pf4j.PluginStateEvent;
import org.pf4j.PluginStatusProvider;
import org.pf4j.PluginWrapper;
import org.pf4j.RuntimeMode;

/**
 * Owns the PF4J side of the host: plugin jars only, from the given roots only, and failures as
 * {@link PluginException}s instead of PF4J's log-and-continue.
 *
 * <p>PF4J's defaults are changed where they would surprise a command-line tool: zip plugins are
 * not supported (PF4J unpacks them into the plugins directory, which is read-only under
 * {@code /usr/lib/rkt}); {@code enabled.txt}/{@code disabled.txt} are not read; the class path is
 * never searched for extensions; {@code -Dpf4j.mode=development} is ignored.
 */
final class HostPluginManager extends DefaultPluginManager {

    HostPluginManager(List<Path> roots) {
        super(roots);
    }

    @Override
    public RuntimeMode getRuntimeMode() {
        return RuntimeMode.DEPLOYMENT;
    }

    @Override
    protected PluginRepository createPluginRepository() {
        JarPluginRepository repository = new JarPluginRepository(getPluginsRoots());
        // PF4J orders by modification time; by path makes errors and load order reproducible
        repository.setComparator(Comparator.comparing(File::getPath));
        return repository;
    }

    @Override
    protected PluginDescriptorFinder createPluginDescriptorFinder() {
        return new ManifestPluginDescriptorFinder();
    }

    @Override
    protected PluginLoader createPluginLoader() {
        return new JarPluginLoader(this);
    }

    @Override
    protected ExtensionFinder createExtensionFinder() {
        PluginOnlyExtensionFinder finder = new PluginOnlyExtensionFinder(this);
        addPluginStateListener(finder);
        return finder;
    }

    @Override
    protected PluginStatusProvider createPluginStatusProvider() {
        return new AllEnabled();
    }

    @Override
    protected PluginFactory createPluginFactory() {
        return HostPluginManager::createPlugin;
    }

    /** The plugin jars found in the roots, in path order. */
    List<Path> pluginPaths() {
        return new ArrayList<>(pluginRepository.getPluginPaths());
    }

    /** Reads the jar's manifest without creating a class loader. */
    PluginDescriptor describe(Path jar) {
        return getPluginDescriptorFinder().find(jar);
    }

    /** Loads one jar whose descriptor was already checked; returns its wrapper. */
    PluginWrapper load(Path jar) {
        return loadPluginFromPath(jar);
    }

    /** Resolves dependencies between the loaded plugins; throws PF4J's exception on failure. */
    void resolve() {
        resolvePlugins();
    }

    /** Starts one resolved plugin, letting its exception through (PF4J would only log it). */
    void start(PluginWrapper wrapper) {
        PluginState previous = wrapper.getPluginState();
        if (previous == PluginState.STARTED) {
            return;
        }
        wrapper.getPlugin().start();
        wrapper.setPluginState(PluginState.STARTED);
        startedPlugins.add(wrapper);
        firePluginStateEvent(new PluginStateEvent(this, wrapper, previous));
    }

    /** The extension class names a plugin lists in its {@code META-INF/extensions.idx}. */
    Set<String> extensionClassNames(String pluginId) {
        Set<String> names = extensionFinder.findClassNames(pluginId);
        return names == null ? Set.of() : names;
    }

    private static Plugin createPlugin(PluginWrapper wrapper) {
        String className = wrapper.getDescriptor().getPluginClass();
        if (className == null || className.isBlank()) {
            // a plugin made only of extensions needs no lifecycle code
            return new Plugin();
        }
        Class<?> type;
        try {
            type = wrapper.getPluginClassLoader().loadClass(className);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new PluginRuntimeException("plugin class " + className + " cannot be loaded: " + e);
        }
        if (!Plugin.class.isAssignableFrom(type)) {
            throw new PluginRuntimeException("plugin class " + className + " does not extend org.pf4j.Plugin");
        }
        try {
            return (Plugin) type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new PluginRuntimeException("plugin class " + className + " cannot be created: " + cause);
        }
    }

    /** Reads extension indexes from plugin jars only: the host's own class path is never scanned. */
    private static final class PluginOnlyExtensionFinder extends LegacyExtensionFinder {
        PluginOnlyExtensionFinder(HostPluginManager manager) {
            super(manager);
        }

        @Override
        public Map<String, Set<String>> readClasspathStorages() {
            return new HashMap<>();
        }
    }

    /** Every plugin present is enabled: rkt has no per-plugin switch, removing the jar is the switch. */
    private static final class AllEnabled implements PluginStatusProvider {
        @Override
        public boolean isPluginDisabled(String pluginId) {
            return false;
        }

        @Override
        public void disablePlugin(String pluginId) {
            throw new UnsupportedOperationException("plugins are disabled by removing their jar");
        }

        @Override
        public void enablePlugin(String pluginId) {
            throw new UnsupportedOperationException("plugins are enabled by adding their jar");
        }
    }
}
