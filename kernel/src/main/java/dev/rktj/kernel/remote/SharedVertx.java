package dev.rktj.kernel.remote;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's one Vert.x instance, lent to remote fetchers: created on the first request (it
 * costs ~0.5 s, which no command that fetches nothing remote should pay) and closed with the
 * kernel, so that no event-loop thread outlives the command.
 */
public final class SharedVertx implements AutoCloseable {

    private Vertx vertx;

    public synchronized Vertx get() {
        if (vertx == null) {
            // host names through the JDK (nsswitch, /etc/hosts, jdk.net.hosts.file) rather than Netty's
            // own DNS client: as every other rkt command resolves them, and without reading resolv.conf
            if (System.getProperty("vertx.disableDnsResolver") == null) {
                System.setProperty("vertx.disableDnsResolver", "true");
            }
            // Netty's buffer events start JDK Flight Recorder's machinery (event classes instrumented
            // with ASM) on a command's first request: about 0.1 s of a C1-only JVM, for events
            // nobody records
            if (System.getProperty("io.netty.jfr.enabled") == null) {
                System.setProperty("io.netty.jfr.enabled", "false");
            }
            vertx = Vertx.vertx(new VertxOptions()
                    .setEventLoopPoolSize(1)
                    .setWorkerPoolSize(1)
                    .setInternalBlockingPoolSize(1)
                    // no .vertx file cache in the working directory or /tmp
                    .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
        }
        return vertx;
    }

    public synchronized boolean started() {
        return vertx != null;
    }

    @Override
    public synchronized void close() {
        if (vertx == null) {
            return;
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // its threads die with the JVM; a command never waits longer for them
        } finally {
            vertx = null;
        }
    }
}
