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
    private JournalSession journal;
    private ImageStore store;
    private PluginHost plugins;

    /**
     * @param journal a session to use (the agent's), or null to open one on first use
     */
    public Kernel(KernelConfig config, JournalSession journal) {
        this.config = config;
        this.sharedJournal = journal;
        this.journal = journal;
    }

    public KernelConfig config() {
        return config;
    }

    public synchronized JournalSession journal() throws KernelException {
        if (journal == null) {
            try {
                journal = JournalSession.open(config.dataDir(), config.agentCommand());
            } catch (dev.rktj.journal.JournalException e) {
                throw new KernelException(e.getMessage(), e);
            }
        }
        return journal;
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
                plugins = PluginHost.open(config.pluginDirs());
            } catch (PluginException e) {
                throw new KernelException(e.getMessage(), e);
            }
        }
        return plugins;
    }

    /** The trusted keys of {@code --local-config} and {@code --system-config}. */
    public Keystore keystore() {
        return new Keystore(config.localConfig(), config.systemConfig());
    }

    public TrustService trust() {
        return new TrustService(this);
    }

    public ImageService images() {
        return new ImageService(this);
    }

    public PodService pods() {
        return new PodService(this);
    }

    @Override
    public synchronized void close() {
        if (plugins != null) {
            plugins.close();
        }
        if (journal != null && journal != sharedJournal) {
            journal.close();
        }
    }
}
