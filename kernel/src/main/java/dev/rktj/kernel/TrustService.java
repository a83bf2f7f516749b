package dev.rktj.kernel;

import dev.rktj.journal.JournalException;
import dev.rktj.kernel.event.KeyRemoved;
import dev.rktj.kernel.event.KeyTrusted;
import dev.rktj.kernel.trust.KeySource;
import dev.rktj.kernel.trust.Keystore;
import dev.rktj.kernel.trust.PgpKey;
import dev.rktj.kernel.trust.TrustException;
import dev.rktj.kernel.trust.TrustedKey;
import dev.rktj.kernel.plugin.PluginException;
import dev.rktj.kernel.spi.BlobSink;
import dev.rktj.kernel.spi.FetchContext;
import dev.rktj.kernel.spi.FetchException;
import dev.rktj.kernel.spi.ImageFetcher;
import dev.rktj.kernel.spi.ImageRef;
import dev.rktj.kernel.spi.RemoteAccess;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code rkt trust}: reads keys from files and URLs, adds them to the local keystore, lists and
 * removes them, and records each change in the journal ({@code KeyTrusted}, {@code KeyRemoved}).
 * Reviewing a key with the user happens between {@link #read} and {@link #trust}, in the CLI.
 */
public final class TrustService {

    private final Kernel kernel;

    TrustService(Kernel kernel) {
        this.kernel = kernel;
    }

    /**
     * The keys a key file holds.
     *
     * @param location a path (relative to {@code cwd}) or an https URL; http only with {@code allowHttp}
     */
    public List<PgpKey> read(String location, boolean allowHttp, Path cwd) throws KernelException {
        try {
            return PgpKey.parseAll(KeySource.read(location, cwd, allowHttp, kernel.config().insecure("tls")));
        } catch (TrustException e) {
            throw new KernelException("error accessing the key " + location + ": " + e.getMessage(), e);
        }
    }

    /** Refuses a {@code --prefix} the keystore cannot take, before anything is read or asked. */
    public static void checkPrefix(String prefix) throws KernelException {
        try {
            Keystore.checkPrefix(prefix);
        } catch (TrustException e) {
            throw new KernelException(e.getMessage(), e);
        }
    }

    /**
     * Trusts {@code key} for images named {@code prefix} or below it (null: every image); returns
     * the keystore file written.
     *
     * @param source where the key came from, for the journal
     */
    public Path trust(String prefix, PgpKey key, String source) throws KernelException {
        try {
            Path file = kernel.keystore().store(prefix, key);
            kernel.journal().append(new KeyTrusted(key.fingerprint(), prefix, key.identities(), source, file.toString()));
            return file;
        } catch (TrustException | JournalException e) {
            throw new KernelException("error adding " + (prefix == null ? "root key" : "key for prefix \"" + prefix + "\"")
                    + ": " + e.getMessage(), e);
        }
    }

    /** Whether any key (root, or for a prefix of {@code name} by whole components) is trusted for images named {@code name}. */
    public boolean trusts(String name) throws KernelException {
        for (TrustedKey k : list()) {
            if (k.status() == TrustedKey.Status.TRUSTED
                    && (k.prefix() == null || name.equals(k.prefix()) || name.startsWith(k.prefix() + "/"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The key URLs the discovery of {@code prefix} offers ({@code ac-discovery-pubkeys}), asked of
     * the fetcher that fetches images by name.
     */
    public List<String> discoverKeys(String prefix) throws KernelException {
        ImageRef ref = new ImageRef(prefix, ImageRef.Kind.NAME, prefix, Map.of());
        ImageFetcher fetcher;
        try {
            fetcher = kernel.plugins().fetcherFor(ref);
        } catch (PluginException e) {
            throw new KernelException("error determining key location: " + e.getMessage(), e);
        }
        FetchContext.Log quiet = new FetchContext.Log() {
            @Override public void info(String line) { }
            @Override public void debug(String line) { }
        };
        try {
            BlobSink none = archive -> {
                throw new FetchException("key discovery streams no image");
            };
            List<String> urls = fetcher.publicKeys(ref, new FetchContext(none, kernel.config().insecureOptions(),
                    kernel.config().debug(), quiet, new RemoteAccess(false,
                    kernel.fetcherResources(),
                    url -> java.util.Optional.empty(), url -> Map.of(), (name, found) -> { })));
            if (urls.isEmpty()) {
                throw new KernelException("error determining key location: the discovery of \"" + prefix + "\" offers no public keys");
            }
            return urls;
        } catch (FetchException e) {
            throw new KernelException("error determining key location: " + e.getMessage(), e);
        }
    }

    /** Every key and mask file of the local and system keystores. */
    public List<TrustedKey> list() throws KernelException {
        try {
            return kernel.keystore().list();
        } catch (TrustException e) {
            throw new KernelException(e.getMessage(), e);
        }
    }

    /** Stops trusting the key with this fingerprint wherever it is trusted; one event per file changed. */
    public List<Keystore.Removal> remove(String fingerprint) throws KernelException {
        try {
            List<Keystore.Removal> removals = kernel.keystore().remove(fingerprint);
            kernel.journal().append(removals.stream()
                    .map(r -> new KeyRemoved(r.fingerprint(), r.prefix(), r.path().toString(), r.masked()))
                    .toArray(KeyRemoved[]::new));
            return removals;
        } catch (TrustException | JournalException e) {
            throw new KernelException(e.getMessage(), e);
        }
    }
}
