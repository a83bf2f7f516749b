package dev.rktj.kernel.plugin;

import dev.rktj.kernel.spi.ImageFetcher;
import dev.rktj.kernel.spi.ImageRef;
import dev.rktj.kernel.spi.Stage1;
import dev.rktj.kernel.spi.Stage1Info;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.pf4j.Extension;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginWrapper;

/**
 * Owns the plugins loaded for one command: finds plugin jars in the plugins directories, refuses
 * those built for another SPI, starts them, and hands out their stage1 and fetcher extensions.
 *
 * <p>Every problem with a plugin surfaces from {@link #open} as a {@link PluginException}, so a
 * broken plugin is never silently skipped. Extensions are created once, at open; close the host
 * only when no extension of it is in use any more, since closing releases the plugins' class
 * loaders.
 */
public final class PluginHost implements AutoCloseable {

    /**
     * The SPI version this kernel provides; plugins state what they need in {@code Plugin-Requires}.
     * Kept equal to the root pom's {@code rktj.spi.version} (a test checks it).
     */
    public static final String SPI_VERSION = "0.1.0";

    private final HostPluginManager manager;
    private final List<Stage1> stage1s;
    private final List<ImageFetcher> fetchers;
    private boolean closed;

    private PluginHost(HostPluginManager manager, List<Stage1> stage1s, List<ImageFetcher> fetchers) {
        this.manager = manager;
        this.stage1s = List.copyOf(stage1s);
        this.fetchers = List.copyOf(fetchers);
    }

    /**
     * Loads and starts the plugins in those of {@code pluginDirs} that exist; a directory that does
     * not exist is skipped, and no directory at all gives a host with no plugins.
     */
    public static PluginHost open(List<Path> pluginDirs) throws PluginException {
        List<Path> roots = existingDirectories(pluginDirs);
        if (roots.isEmpty()) {
            return new PluginHost(null, List.of(), List.of());
        }
        HostPluginManager manager = new HostPluginManager(roots);
        try {
            manager.setSystemVersion(SPI_VERSION);
            loadAndStart(manager);
            List<Found<Stage1>> stage1s = new ArrayList<>();
            List<Found<ImageFetcher>> fetchers = new ArrayList<>();
            collectExtensions(manager, stage1s, fetchers);
            checkStage1NamesUnique(stage1s);
            return new PluginHost(manager, instances(stage1s), instances(fetchers));
        } catch (PluginException | RuntimeException e) {
            shutDown(manager);
            throw e;
        }
    }

    /** The stage1 flavors of all plugins, in {@code @Extension(ordinal)} order. */
    public List<Stage1> stage1s() {
        return stage1s;
    }

    /**
     * The stage1 whose {@link Stage1Info#name()} ({@code fly}) or {@link Stage1Info#appcName()}
     * ({@code coreos.com/rkt/stage1-fly}) is {@code name}.
     */
    public Stage1 stage1(String name) throws PluginException {
        for (Stage1 stage1 : stage1s) {
            Stage1Info info = stage1.info();
            if (info.name().equals(name) || info.appcName().equals(name)) {
                return stage1;
            }
        }
        String available = stage1s.isEmpty()
                ? "none"
                : stage1s.stream().map(s -> s.info().name()).collect(Collectors.joining(", "));
        throw new PluginException("stage1 \"" + name + "\" not found (available: " + available + ")");
    }

    /** The fetchers of all plugins, in {@code @Extension(ordinal)} order: the order they are asked in. */
    public List<ImageFetcher> fetchers() {
        return fetchers;
    }

    /** The first fetcher, in {@link #fetchers()} order, that {@linkplain ImageFetcher#handles handles} the image. */
    public ImageFetcher fetcherFor(ImageRef ref) throws PluginException {
        for (ImageFetcher fetcher : fetchers) {
            boolean handles;
            try {
                handles = fetcher.handles(ref);
            } catch (RuntimeException e) {
                throw new PluginException("fetcher " + fetcher.getClass().getName() + " failed on \"" + ref.raw()
                        + "\": " + oneLine(e), e);
            }
            if (handles) {
                return fetcher;
            }
        }
        throw new PluginException("no fetcher handles \"" + ref.raw() + "\" (kind " + ref.kind() + ")");
    }

    /** Stops the plugins and releases their class loaders; idempotent. */
    @Override
    public void close() {
        if (closed || manager == null) {
            closed = true;
            return;
        }
        closed = true;
        shutDown(manager);
    }

    private static List<Path> existingDirectories(List<Path> dirs) throws PluginException {
        Set<Path> roots = new LinkedHashSet<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try {
                // the same directory given twice (a symlinked install) must not load each plugin twice
                roots.add(dir.toRealPath());
            } catch (IOException e) {
                throw new PluginException("cannot read plugins directory \"" + dir + "\": " + oneLine(e), e);
            }
        }
        return new ArrayList<>(roots);
    }

    private static void loadAndStart(HostPluginManager manager) throws PluginException {
        Map<String, Path> loaded = new HashMap<>();
        for (Path jar : manager.pluginPaths()) {
            PluginDescriptor descriptor;
            try {
                descriptor = manager.describe(jar);
            } catch (RuntimeException e) {
                throw new PluginException("plugin file \"" + jar + "\" cannot be read: " + oneLine(e), e);
            }
            String id = descriptor.getPluginId();
            if (id == null || id.isBlank()) {
                throw new PluginException("plugin file \"" + jar + "\" has no Plugin-Id in its manifest");
            }
            if (descriptor.getVersion() == null || descriptor.getVersion().isBlank()) {
                throw new PluginException("plugin \"" + id + "\" (" + jar + ") has no Plugin-Version in its manifest");
            }
            Path other = loaded.putIfAbsent(id, jar);
            if (other != null) {
                throw new PluginException("plugin \"" + id + "\" is installed twice: " + other + " and " + jar);
            }
            checkRequires(manager, id, descriptor.getRequires());
            try {
                manager.load(jar);
            } catch (RuntimeException e) {
                throw new PluginException("plugin \"" + id + "\" cannot be loaded: " + oneLine(e), e);
            }
        }
        try {
            manager.resolve();
        } catch (RuntimeException e) {
            throw new PluginException("plugins cannot be resolved: " + oneLine(e), e);
        }
        if (!manager.getUnresolvedPlugins().isEmpty()) {
            throw new PluginException("plugin \"" + manager.getUnresolvedPlugins().get(0).getPluginId()
                    + "\" cannot be resolved: a plugin it depends on is missing or has the wrong version");
        }
        for (PluginWrapper plugin : new ArrayList<>(manager.getResolvedPlugins())) {
            try {
                manager.start(plugin);
            } catch (RuntimeException | LinkageError e) {
                throw new PluginException("plugin \"" + plugin.getPluginId() + "\" failed to start: " + oneLine(e), e);
            }
        }
    }

    /** PF4J's own check only logs a warning and disables the plugin; rkt refuses it loudly. */
    private static void checkRequires(HostPluginManager manager, String id, String requires) throws PluginException {
        String wanted = requires == null ? "" : requires.trim();
        if (wanted.isEmpty() || wanted.equals("*")) {
            return;
        }
        // PF4J reads a bare version as a minimum; say so in the message too
        String constraint = wanted.matches("\\d+\\.\\d+\\.\\d+") ? ">=" + wanted : wanted;
        boolean satisfied;
        try {
            satisfied = manager.getVersionManager().checkVersionConstraint(SPI_VERSION, constraint);
        } catch (RuntimeException e) {
            throw new PluginException("plugin \"" + id + "\" has an invalid Plugin-Requires \"" + wanted + "\"", e);
        }
        if (!satisfied) {
            throw new PluginException("plugin \"" + id + "\" requires SPI " + constraint
                    + " but this rkt provides " + SPI_VERSION);
        }
    }

    private static void collectExtensions(HostPluginManager manager, List<Found<Stage1>> stage1s,
            List<Found<ImageFetcher>> fetchers) throws PluginException {
        for (PluginWrapper plugin : manager.getStartedPlugins()) {
            String id = plugin.getPluginId();
            for (String className : new TreeSet<>(manager.extensionClassNames(id))) {
                Class<?> type = loadExtensionClass(plugin, className);
                boolean isStage1 = Stage1.class.isAssignableFrom(type);
                boolean isFetcher = ImageFetcher.class.isAssignableFrom(type);
                if (!isStage1 && !isFetcher) {
                    refuseOwnSpiCopy(id, type);
                    // an extension point this kernel does not know (a newer SPI's): not ours to use
                    continue;
                }
                Object extension = instantiate(id, type);
                int ordinal = ordinalOf(type);
                if (isStage1) {
                    stage1s.add(new Found<>(id, className, ordinal, (Stage1) extension));
                }
                if (isFetcher) {
                    fetchers.add(new Found<>(id, className, ordinal, (ImageFetcher) extension));
                }
            }
        }
    }

    private static Class<?> loadExtensionClass(PluginWrapper plugin, String className) throws PluginException {
        try {
            return plugin.getPluginClassLoader().loadClass(className);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new PluginException("plugin \"" + plugin.getPluginId() + "\": extension " + className
                    + " cannot be loaded: " + oneLine(e), e);
        }
    }

    /**
     * A plugin that packs its own copy of the SPI implements interfaces that look like ours but are
     * not: without this check its extensions would just be missing.
     */
    private static void refuseOwnSpiCopy(String pluginId, Class<?> type) throws PluginException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> implemented : c.getInterfaces()) {
                if (implemented.getName().equals(Stage1.class.getName())
                        || implemented.getName().equals(ImageFetcher.class.getName())) {
                    throw new PluginException("plugin \"" + pluginId + "\" bundles its own copy of the rktj SPI;"
                            + " build it with rktj-kernel in scope provided");
                }
            }
        }
    }

    private static Object instantiate(String pluginId, Class<?> type) throws PluginException {
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (InvocationTargetException e) {
            throw new PluginException("plugin \"" + pluginId + "\": extension " + type.getName()
                    + " cannot be created: " + oneLine(e.getCause()), e.getCause());
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            throw new PluginException("plugin \"" + pluginId + "\": extension " + type.getName()
                    + " cannot be created: " + oneLine(e), e);
        }
    }

    private static int ordinalOf(Class<?> type) {
        Extension extension = type.getAnnotation(Extension.class);
        return extension == null ? 0 : extension.ordinal();
    }

    private static void checkStage1NamesUnique(List<Found<Stage1>> stage1s) throws PluginException {
        Map<String, String> owners = new LinkedHashMap<>();
        for (Found<Stage1> found : stage1s) {
            Stage1Info info;
            try {
                info = found.extension().info();
            } catch (RuntimeException e) {
                throw new PluginException("plugin \"" + found.pluginId() + "\": stage1 " + found.className()
                        + " cannot describe itself: " + oneLine(e), e);
            }
            if (info == null || isBlank(info.name()) || isBlank(info.appcName())) {
                throw new PluginException("plugin \"" + found.pluginId() + "\": stage1 " + found.className()
                        + " has no name");
            }
            for (String name : new LinkedHashSet<>(List.of(info.name(), info.appcName()))) {
                String owner = owners.putIfAbsent(name, found.pluginId());
                if (owner != null) {
                    throw new PluginException("stage1 \"" + name + "\" is provided twice, by plugins \"" + owner
                            + "\" and \"" + found.pluginId() + "\"");
                }
            }
        }
    }

    private static <T> List<T> instances(List<Found<T>> found) {
        return found.stream()
                .sorted(Comparator.comparingInt((Found<T> f) -> f.ordinal())
                        .thenComparing(Found::pluginId)
                        .thenComparing(Found::className))
                .map(Found::extension)
                .collect(Collectors.toList());
    }

    private static void shutDown(HostPluginManager manager) {
        // best effort: a plugin failing to stop must not hide the command's own result or error
        try {
            manager.stopPlugins();
        } catch (RuntimeException e) {
            // nothing useful to do: the class loaders are released below either way
        }
        try {
            manager.unloadPlugins();
        } catch (RuntimeException e) {
            // as above
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }

    /** An extension with what is needed to order it and to name it in messages. */
    private record Found<T>(String pluginId, String className, int ordinal, T extension) {}
}
