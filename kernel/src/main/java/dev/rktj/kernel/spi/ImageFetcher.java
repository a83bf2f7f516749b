package dev.rktj.kernel.spi;

import java.util.List;
import org.pf4j.ExtensionPoint;

/**
 * Brings an image from somewhere into the store. Fetchers never touch the store or the journal:
 * they stream bytes into {@link FetchContext#sink()} and report what they fetched. The kernel asks
 * each fetcher {@link #handles} in {@code @Extension(ordinal)} order and uses the first that says yes.
 */
public interface ImageFetcher extends ExtensionPoint {

    boolean handles(ImageRef ref);

    FetchedImage fetch(ImageRef ref, FetchContext context) throws FetchException;

    /**
     * The public key URLs a discovery of {@code ref}'s name offers (appc's
     * {@code ac-discovery-pubkeys}), for {@code rkt trust --prefix NAME} without a key file; a
     * fetcher that does not discover names offers none. Nothing is streamed into the sink.
     */
    default List<String> publicKeys(ImageRef ref, FetchContext context) throws FetchException {
        return List.of();
    }
}
