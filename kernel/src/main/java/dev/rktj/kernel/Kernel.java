package dev.rktj.kernel;

import dev.rktj.kernel.image.ImageException;
import dev.rktj.kernel.image.ImageStore;
import dev.rktj.kernel.plugin.PluginException;
import dev.rktj.kernel.plugin.PluginHost;
import dev.rktj.kernel.pod.PodService;
import dev.rktj.kernel.trust.Keystore;

/**
 * stage0 for one data directory: opens what an operation needs, when it needs it (the image
 * store, the plugin host, the journal), so a command pays only for what it touches.
 */
public final class Kernel implements AutoCloseable {

    private final KernelConfig config;
    private final JournalSession sharedJournal;
    private final Resident resident;
    private final Object journalLock = new Object();
    /** Guarded by {@link #journalLock}. */
    private JournalSession journal;
    private ImageStore store;
    private PluginHost plugins;
    /** A {@code dev.rktj.kernel.remote.SharedVertx}, typed loosely so that loading the kernel loads no Vert.x class. */
    private AutoCloseable vertx;
    private boolean localOnly;
    /** Null: someone always waits for this kernel's fetches. */
    private java.util.function.BooleanSupplier abandoned;

    /**
     * @param journal a session to use (the agent's), or null to open one on first use
     */
    public Kernel(KernelConfig config, JournalSession journal) {
        this(config, journal, null);
    }

    /**
     * @param journal a session to use (the agent's), or null to open one on first use
     * @param resident plugin hosts and Vert.x shared across commands (the agent's), or null to open
     *     this kernel's own
     */
    public Kernel(KernelConfig config, JournalSession journal, Resident resident) {
        this.config = config;
        this.sharedJournal = journal;
        this.journal = journal;
        this.resident = resident;
    }

    public KernelConfig config() {
        return config;
    }

    /**
     * Opened under its own lock, not the kernel's: opening the queue takes a third of a second,
     * which a fetch spends on a thread of its own while its main thread starts the store, the
     * plugins and Vert.x (it waited for the queue when both shared the kernel's monitor).
     */
    public JournalSession journal() throws KernelException {
        synchronized (journalLock) {
            if (journal == null) {
                try {
                    journal = JournalSession.open(config.dataDir(), config.agentCommand());
                } catch (dev.rktj.journal.JournalException e) {
                    throw new KernelException(e.getMessage(), e);
                }
            }
            return journal;
        }
    }

    public synchronized ImageStore store() throws KernelException {
        if (store == null) {
            try {
                store = ImageStore.open(config.dataDir());
            } catch (ImageException e) {
                throw new KernelException(e.getMessage(), e);
            }
        }
        return store;
    }

    public synchronized PluginHost plugins() throws KernelException {
        if (plugins == null) {
            try {
                plugins = resident != null ? resident.plugins().host(config.pluginDirs()) : PluginHost.open(config.pluginDirs());
            } catch (PluginException e) {
                throw new KernelException(e.getMessage(), e);
            }
        }
        return plugins;
    }

    /**
     * The Vert.x instance lent to remote fetchers, started on first use and closed with the kernel.
     * Returned as Object: only a fetcher that asks for {@code io.vertx.core.Vertx} touches Vert.x.
     */
    synchronized Object vertx() {
        if (resident != null) {
            return resident.vertx();
        }
        if (vertx == null) {
            vertx = new dev.rktj.kernel.remote.SharedVertx();
        }
        return ((dev.rktj.kernel.remote.SharedVertx) vertx).get();
    }

    /** The shared client objects fetchers may ask for by type ({@link dev.rktj.kernel.spi.RemoteAccess#resources()}). */
    java.util.function.Function<Class<?>, Object> fetcherResources() {
        return type -> type.getName().equals("io.vertx.core.Vertx") ? vertx() : null;
    }

    /**
     * Refuses fetches from servers ({@link RemoteFetchNeeded}) from now on: the journal agent sets
     * this for a thin client's {@code rkt run}, whose downloads belong in the client's process,
     * where the terminal is (progress, questions about keys).
     */
    public synchronized void localOnly() {
        localOnly = true;
    }

    synchronized boolean isLocalOnly() {
        return localOnly;
    }

    /**
     * Makes fetches stop, storing nothing, once {@code abandoned} says nobody waits for them any
     * more: the journal agent sets this for a thin client's {@code rkt fetch}, whose client may
     * end mid-download. A fetch whose image is already staged completes (its commit is atomic).
     */
    public synchronized void abandonWhen(java.util.function.BooleanSupplier abandoned) {
        this.abandoned = abandoned;
    }

    /** What {@link #abandonWhen} was given, or null. */
    synchronized java.util.function.BooleanSupplier abandoned() {
        return abandoned;
    }

    /** The trusted keys of {@code --local-config} and {@code --system-config}. */
    public Keystore keystore() {
        return new Keystore(config.localConfig(), config.systemConfig());
    }

    /** The configuration rktj reads, merged, its secrets hidden ({@code rkt config}). */
    public Configuration configuration() throws KernelException {
        return Configuration.read(config);
    }

    public TrustService trust() {
        return new TrustService(this);
    }

    public ImageService images() {
        return new ImageService(this);
    }

    /** The images already in the store, as the {@code rkt image} commands name them. */
    public LocalImages localImages() {
        return new LocalImages(this);
    }

    public PodService pods() {
        return new PodService(this);
    }

    @Override
    public synchronized void close() {
        if (vertx != null) {
            try {
                vertx.close();
            } catch (Exception e) {
                // SharedVertx.close throws nothing checked; its threads die with the JVM anyway
            }
            vertx = null;
        }
        if (plugins != null && resident == null) {
            plugins.close();
        }
        synchronized (journalLock) {
            if (journal != null && journal != sharedJournal) {
                journal.close();
            }
        }
    }
}
