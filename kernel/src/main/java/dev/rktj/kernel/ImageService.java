package dev.rktj.kernel;

import dev.rktj.journal.JournalException;
import dev.rktj.kernel.event.ImageFetched;
import dev.rktj.kernel.image.ImageException;
import dev.rktj.kernel.image.ImageId;
import dev.rktj.kernel.image.ImageStore;
import dev.rktj.kernel.image.StoredImage;
import dev.rktj.kernel.plugin.PluginException;
import dev.rktj.kernel.spi.BlobDescriptor;
import dev.rktj.kernel.spi.BlobSink;
import dev.rktj.kernel.spi.FetchContext;
import dev.rktj.kernel.spi.FetchException;
import dev.rktj.kernel.spi.FetchedImage;
import dev.rktj.kernel.spi.ImageFetcher;
import dev.rktj.kernel.spi.ImageRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Gets images into the store: resolves an image argument against the store, or picks a fetcher
 * plugin, streams the image into the store and records {@code ImageFetched}.
 */
public final class ImageService {

    private final Kernel kernel;

    ImageService(Kernel kernel) {
        this.kernel = kernel;
    }

    /**
     * The image an argument names, fetched if the pull policy says so.
     *
     * @param recordRefetch record {@code ImageFetched} even when the fetched image was already in
     *     the store ({@code rkt fetch} does; run and prepare record only images new to the store, so a
     *     refused run leaves the journal as it was)
     */
    public StoredImage get(String arg, PullPolicy policy, Path cwd, boolean recordRefetch, UserLog log) throws KernelException {
        ImageRef ref = ImageRefs.classify(arg, cwd);
        ImageStore store = kernel.store();
        try {
            switch (ref.kind()) {
                case HASH:
                    return store.resolveId(arg);
                case NAME: {
                    ImageName name = ImageName.parse(arg);
                    if (policy != PullPolicy.UPDATE) {
                        Optional<StoredImage> found = store.findByName(name.name(), name.labels());
                        if (found.isPresent()) {
                            log.debug("image: using image from local store for image name " + arg);
                            return found.get();
                        }
                    }
                    if (policy == PullPolicy.NEVER) {
                        throw new KernelException("unable to fetch image from image name \"" + arg
                                + "\": either image was not found in the store or store was disabled and fetching from remote yielded nothing or it was disabled");
                    }
                    return remote(ref, recordRefetch, log);
                }
                default:
                    return remote(ref, recordRefetch, log);
            }
        } catch (ImageException e) {
            throw new KernelException(e.getMessage(), e);
        }
    }

    private StoredImage remote(ImageRef ref, boolean recordRefetch, UserLog log) throws KernelException {
        if (!kernel.config().insecure("image")) {
            throw new KernelException("signature verification is not available yet in rktj: to use \"" + ref.raw()
                    + "\" unverified, pass --insecure-options=image");
        }
        ImageFetcher fetcher;
        try {
            fetcher = kernel.plugins().fetcherFor(ref);
        } catch (PluginException e) {
            throw new KernelException(e.getMessage(), e);
        }
        ImageStore store = kernel.store();
        TrackingSink sink = new TrackingSink(store.stagingSink());
        FetchContext.Log fetchLog = new FetchContext.Log() {
            @Override public void info(String line) { log.err(line); }
            @Override public void debug(String line) { log.debug(line); }
        };
        FetchedImage fetched;
        try {
            fetched = fetcher.fetch(ref, new FetchContext(sink, kernel.config().insecureOptions(), kernel.config().debug(), fetchLog));
        } catch (FetchException e) {
            sink.discard(store);
            throw new KernelException(e.getMessage(), e);
        } catch (RuntimeException e) {
            sink.discard(store);
            throw e;
        }
        try {
            boolean known = store.get(ImageId.parse(fetched.blob().imageId())).isPresent();
            StoredImage image = store.commit(fetched.blob(), fetched.source(), null);
            if (known && !recordRefetch) {
                log.debug("image: " + image.id() + " was already in the store");
                return image;
            }
            kernel.journal().append(new ImageFetched(image.id().toString(), image.name(), image.labels(), image.source(), image.size(), null));
            return image;
        } catch (ImageException | JournalException e) {
            sink.discard(store);
            throw new KernelException(e.getMessage(), e);
        }
    }

    /** Remembers what a fetcher staged so a failed fetch leaves nothing behind. */
    private static final class TrackingSink implements BlobSink {
        private final BlobSink delegate;
        private BlobDescriptor staged;

        TrackingSink(BlobSink delegate) {
            this.delegate = delegate;
        }

        @Override
        public BlobDescriptor write(InputStream archive) throws IOException, FetchException {
            staged = delegate.write(archive);
            return staged;
        }

        void discard(ImageStore store) {
            if (staged != null) {
                store.discard(staged);
            }
        }
    }
}
