package dev.rktj.kernel.spi;

import org.pf4j.ExtensionPoint;

/**
 * Brings an image from somewhere into the store. Fetchers never touch the store or the journal:
 * they stream bytes into {@link FetchContext#sink()} and report what they fetched. The kernel asks
 * each fetcher {@link #handles} in {@code @Extension(ordinal)} order and uses the first that says yes.
 */
public interface ImageFetcher extends ExtensionPoint {

    boolean handles(ImageRef ref);

    FetchedImage fetch(ImageRef ref, FetchContext context) throws FetchException;
}
