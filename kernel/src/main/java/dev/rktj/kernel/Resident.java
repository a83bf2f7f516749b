package dev.rktj.kernel;

import dev.rktj.kernel.plugin.PluginCache;

/**
 * What a long-lived process (the journal agent) keeps open across the commands it runs, so that
 * each pays for it once: the plugin hosts, and the Vert.x instance remote fetchers borrow
 * (started by the first command that fetches from a server). Closed with that process.
 */
public final class Resident implements AutoCloseable {

    private final PluginCache plugins = new PluginCache();
    /** A {@code dev.rktj.kernel.remote.SharedVertx}, typed loosely so that loading this class loads no Vert.x class. */
    private AutoCloseable vertx;
    private boolean closed;

    public PluginCache plugins() {
        return plugins;
    }

    /** The shared {@code io.vertx.core.Vertx}, started on first use. */
    synchronized Object vertx() {
        if (closed) {
            throw new IllegalStateException("the process is stopping");
        }
        if (vertx == null) {
            vertx = new dev.rktj.kernel.remote.SharedVertx();
        }
        return ((dev.rktj.kernel.remote.SharedVertx) vertx).get();
    }

    @Override
    public void close() {
        AutoCloseable v;
        synchronized (this) {
            closed = true;
            v = vertx;
            vertx = null;
        }
        if (v != null) {
            try {
                v.close();
            } catch (Exception e) {
                // SharedVertx.close throws nothing checked; its threads die with the JVM anyway
            }
        }
        plugins.close();
    }
}
