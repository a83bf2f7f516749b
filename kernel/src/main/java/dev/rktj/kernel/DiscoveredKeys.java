package dev.rktj.kernel;

import dev.rktj.kernel.spi.FetchException;
import dev.rktj.kernel.spi.RemoteAccess;
import dev.rktj.kernel.trust.PgpKey;
import java.nio.file.Path;
import java.util.List;

/**
 * What happens to the keys a discovery offers for an image name ({@code ac-discovery-pubkeys}),
 * as in rkt: nothing when a key is already trusted for the name; otherwise they are trusted for
 * the name with {@code --trust-keys-from-https} (https keys only), after the user said yes on a
 * terminal, or the fetch is refused naming the flag.
 */
final class DiscoveredKeys implements RemoteAccess.Keys {

    private final Kernel kernel;
    private final UserLog log;

    DiscoveredKeys(Kernel kernel, UserLog log) {
        this.kernel = kernel;
        this.log = log;
    }

    @Override
    public void discovered(String name, List<String> urls) throws FetchException {
        TrustService trust = kernel.trust();
        try {
            if (urls.isEmpty() || trust.trusts(name)) {
                return;
            }
            boolean auto = kernel.config().trustKeysFromHttps();
            if (!auto && !log.canAsk()) {
                throw new FetchException("no key is trusted for image name \"" + name + "\", and its discovery offers "
                        + String.join(", ", urls) + ": trust it with --trust-keys-from-https, or with rkt trust --prefix " + name);
            }
            for (String url : urls) {
                if (auto && !url.startsWith("https://")) {
                    log.err("not trusting " + url + " automatically: --trust-keys-from-https takes keys from https only");
                    continue;
                }
                List<PgpKey> keys = trust.read(url, kernel.config().insecure("http"), Path.of("/"));
                if (!auto && !review(name, url, keys)) {
                    log.err("not trusting \"" + url + "\"");
                    continue;
                }
                for (PgpKey key : keys) {
                    Path file = trust.trust(name, key, url);
                    log.err("Added key for prefix \"" + name + "\" at \"" + file + "\" (" + PgpKey.display(key.fingerprint()) + ")");
                }
            }
        } catch (KernelException e) {
            throw new FetchException(e.getMessage(), e);
        }
    }

    /** rkt's review: the fingerprints and identities, then yes or no. */
    private boolean review(String name, String url, List<PgpKey> keys) {
        StringBuilder b = new StringBuilder("prefix: \"").append(name).append("\"\nkey: \"").append(url).append('"');
        for (PgpKey k : keys) {
            b.append("\ngpg key fingerprint is: ").append(PgpKey.display(k.fingerprint()));
            for (String sub : k.subkeyFingerprints()) {
                b.append("\n    Subkey fingerprint: ").append(PgpKey.display(sub));
            }
            for (String id : k.identities()) {
                b.append("\n\t").append(id);
            }
        }
        log.err(b.toString());
        return log.confirm("Are you sure you want to trust this key (yes/no)?");
    }
}
