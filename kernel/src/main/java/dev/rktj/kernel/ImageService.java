package dev.rktj.kernel;

import dev.rktj.journal.JournalException;
import dev.rktj.kernel.appc.ImageManifest;
import dev.rktj.kernel.event.ImageFetched;
import dev.rktj.kernel.image.ArchiveCheck;
import dev.rktj.kernel.image.FileOrigin;
import dev.rktj.kernel.image.ImageException;
import dev.rktj.kernel.image.ImageId;
import dev.rktj.kernel.image.ImageMatch;
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
import dev.rktj.kernel.spi.RemoteAccess;
import dev.rktj.kernel.remote.AuthConfig;
import dev.rktj.kernel.remote.RemoteRecords;
import dev.rktj.kernel.trust.Keystore;
import dev.rktj.kernel.trust.SignatureCheck;
import dev.rktj.kernel.trust.TrustException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gets images into the store: resolves an image argument against the store, or picks a fetcher
 * plugin, streams the image into the store (verifying its signature on the way unless the user
 * said {@code --insecure-options=image}) and records {@code ImageFetched} with the signer.
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
        return get(arg, null, policy, cwd, recordRefetch, log);
    }

    /**
     * As {@link #get(String, PullPolicy, Path, boolean, UserLog)}, with the image's detached
     * signature from a file ({@code --signature}) instead of from its fetcher; it matters only
     * when the image is fetched.
     *
     * @param signature the signature file (relative to {@code cwd}), or null
     */
    public StoredImage get(String arg, Path signature, PullPolicy policy, Path cwd, boolean recordRefetch, UserLog log)
            throws KernelException {
        ImageRef ref = ImageRefs.classify(arg, cwd);
        Path signatureFile = signature == null ? null : cwd.resolve(signature);
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
                    return remote(ref, signatureFile, policy, recordRefetch, log);
                }
                case HTTP:
                case HTTPS: {
                    if (policy != PullPolicy.UPDATE) {
                        // rkt: a URL fetched before is in the store under that URL
                        Optional<StoredImage> recorded = recorded(ref.location(), !kernel.config().insecure("image"));
                        if (recorded.isPresent()) {
                            log.debug("image: using image from local store for url " + ref.location());
                            return recorded.get();
                        }
                    }
                    if (policy == PullPolicy.NEVER) {
                        throw new KernelException("unable to fetch image from URL \"" + arg
                                + "\": either image was not found in the store or store was disabled and fetching from remote yielded nothing or it was disabled");
                    }
                    return remote(ref, signatureFile, policy, recordRefetch, log);
                }
                default:
                    return remote(ref, signatureFile, policy, recordRefetch, log);
            }
        } catch (ImageException e) {
            throw new KernelException(e.getMessage(), e);
        }
    }

    private StoredImage remote(ImageRef ref, Path signatureFile, PullPolicy policy, boolean recordRefetch, UserLog log)
            throws KernelException {
        if (ref.kind() != ImageRef.Kind.FILE && kernel.isLocalOnly()) {
            throw new RemoteFetchNeeded(ref.raw());
        }
        boolean verify = !kernel.config().insecure("image");
        LocalFile file = ref.kind() == ImageRef.Kind.FILE ? LocalFile.of(ref, verify, signatureFile) : null;
        if (file != null) {
            StoredImage unchanged = unchangedFile(file, verify, recordRefetch, log);
            if (unchanged != null) {
                return unchanged;
            }
        }
        byte[] givenSignature = verify && signatureFile != null ? readSignature(signatureFile) : null;
        ImageFetcher fetcher;
        try {
            fetcher = kernel.plugins().fetcherFor(ref);
        } catch (PluginException e) {
            throw new KernelException(e.getMessage(), e);
        }
        ImageStore store = kernel.store();
        FetchSink sink = new FetchSink(store, verify ? kernel.keystore() : null, givenSignature,
                ref.kind() == ImageRef.Kind.NAME ? ref : null, kernel.abandoned());
        FetchContext.Log fetchLog = new FetchContext.Log() {
            @Override public void info(String line) { log.err(line); }
            @Override public void debug(String line) { log.debug(line); }
            @Override public void progress(String what, long bytes, long total, boolean done) { log.progress(what, bytes, total, done); }
        };
        // Connecting to the journal (or opening the queue when no agent is up) takes as long as hashing
        // tens of megabytes: let it happen while the image streams in.
        Thread journalOpener = new Thread(() -> {
            try {
                kernel.journal();
            } catch (KernelException | RuntimeException e) {
                // the append after the import meets the same failure and reports it
            }
        }, "rktj-journal-open");
        journalOpener.setDaemon(true);
        journalOpener.start();
        RemoteAccess access = ref.kind() == ImageRef.Kind.FILE ? RemoteAccess.none() : remoteAccess(policy, verify, log);
        FetchedImage fetched;
        try {
            fetched = fetcher.fetch(ref, new FetchContext(sink, kernel.config().insecureOptions(), kernel.config().debug(), fetchLog, access));
        } catch (FetchException e) {
            sink.discard();
            throw new KernelException(e.getMessage(), e);
        } catch (RuntimeException e) {
            sink.discard();
            throw e;
        }
        FetchedImage.RemoteResult remote = fetched.remote();
        if (remote != null && remote.reused()) {
            return reused(ref, fetched, log);
        }
        SignatureCheck.Signer signer = sink.signer();
        if (verify && signer == null) {
            // a fetcher that never wrote through the sink: nothing of it was staged, let alone verified
            sink.discard();
            throw new KernelException("image \"" + ref.raw() + "\" was not verified: its fetcher did not stream it through the kernel");
        }
        if (signer != null) {
            StringBuilder verified = new StringBuilder("image: signature verified:");
            signer.identities().forEach(id -> verified.append("\n  ").append(id));
            log.err(verified.toString());
        }
        try {
            boolean known = store.get(ImageId.parse(fetched.blob().imageId())).isPresent();
            String signedBy = signer == null ? null : signer.fingerprint();
            StoredImage image = store.commit(fetched.blob(), fetched.source(), signedBy);
            if (file != null && file.identity() != null && file.equals(LocalFile.of(ref, verify, signatureFile))) {
                // unchanged while it was read: the next fetch of it can be answered from the store
                try {
                    store.rememberOrigin(new FileOrigin(file.path().toString(), file.identity(), file.signatures(),
                            image.id().toString(), signedBy));
                } catch (ImageException e) {
                    log.debug("image: " + e.getMessage() + "; the next fetch of " + file.path() + " reads it again");
                }
            }
            if (remote != null) {
                remember(remote, image.id().toString(), log);
            }
            return recordFetch(image, known, recordRefetch, signedBy, log);
        } catch (ImageException e) {
            sink.discard();
            throw new KernelException(e.getMessage(), e);
        }
    }

    /**
     * appc discovery's validation: an image found for a name must carry that name and every label
     * asked for (the host's {@code os} and {@code arch}, filled in when the name gave none, only
     * where the image has such a label, as the store matches names). A discovery page may point
     * anywhere; without this, fetching {@code example.com/app} could store an image named otherwise.
     *
     * @return the one-line refusal, or null when the image matches
     */
    private static String discoveryMismatch(ImageRef ref, String name, Map<String, String> labels) {
        String wrong = !ref.location().equals(name) ? "name \"" + name + "\"" : ImageMatch.mismatch(labels, ref.labels());
        return wrong == null ? null
                : "image \"" + ref.raw() + "\" does not match the name and labels it was discovered by: its manifest has " + wrong;
    }

    /**
     * {@link #discoveryMismatch} as the staging pass applies it, before {@code then} (the
     * signature's verdict, whose keys depend on the name): a refused image is never stored.
     */
    private static ArchiveCheck discoveredAs(ImageRef ref, ArchiveCheck then) {
        return new ArchiveCheck() {
            @Override
            public void update(byte[] bytes, int offset, int length) {
                then.update(bytes, offset, length);
            }

            @Override
            public void finish(ImageManifest manifest) throws FetchException {
                String wrong = discoveryMismatch(ref, manifest.name(), manifest.labelMap());
                if (wrong != null) {
                    throw new FetchException(wrong);
                }
                then.finish(manifest);
            }
        };
    }

    /**
     * Records {@code ImageFetched} for an image a fetch found or stored: always for an image new to
     * the store, for one already there only when {@code recordRefetch}.
     */
    private StoredImage recordFetch(StoredImage image, boolean known, boolean recordRefetch, String signedBy, UserLog log)
            throws KernelException {
        try {
            if (known && !recordRefetch) {
                log.debug("image: " + image.id() + " was already in the store");
                return image;
            }
            kernel.journal().append(new ImageFetched(image.id().toString(), image.name(), image.labels(), image.source(), image.size(), signedBy));
            return image;
        } catch (JournalException e) {
            throw new KernelException(e.getMessage(), e);
        }
    }

    /**
     * The stored image when {@code file} is the very file (and, verifying, the very signature) it
     * was imported from, unchanged since, and its signer is still trusted for its name; null when
     * the file must be read again. rkt re-imported the file every time.
     */
    private StoredImage unchangedFile(LocalFile file, boolean verify, boolean recordRefetch, UserLog log) throws KernelException {
        ImageStore store = kernel.store();
        FileOrigin origin = store.origin(file.path().toString()).orElse(null);
        if (origin == null || file.identity() == null || !origin.identity().equals(file.identity())
                || verify && (origin.signer() == null || !origin.signatures().equals(file.signatures()))) {
            return null;
        }
        StoredImage image;
        try {
            image = store.get(ImageId.parse(origin.imageId())).orElse(null);
        } catch (ImageException e) {
            return null;
        }
        if (image == null || !store.hasBlob(image.id())) {
            return null;
        }
        String signedBy = null;
        if (verify) {
            SignatureCheck.Signer signer;
            try {
                signer = SignatureCheck.stillTrusted(kernel.keystore(), image.name(), origin.signer());
            } catch (TrustException e) {
                return null; // the keystore will say what is wrong with it when the file is verified again
            }
            if (signer == null) {
                return null;
            }
            StringBuilder verified = new StringBuilder("image: signature verified:");
            signer.identities().forEach(id -> verified.append("\n  ").append(id));
            log.err(verified.toString());
            signedBy = signer.fingerprint();
        }
        log.debug("image: " + file.path() + " is unchanged since it was imported as " + image.id() + ": using the stored image");
        return recordFetch(image, true, recordRefetch, signedBy, log);
    }

    /**
     * A local image file and the signature files a fetch of it would read, as they are now.
     *
     * @param signatures the signature files' identities: the {@code --signature} file, else the
     *     file fetcher's candidates beside the image; none when not verifying
     */
    private record LocalFile(Path path, String identity, List<String> signatures) {

        static LocalFile of(ImageRef ref, boolean verify, Path signatureFile) throws KernelException {
            Path path = Path.of(ref.location());
            List<Path> candidates = new ArrayList<>();
            if (verify && signatureFile != null) {
                candidates.add(signatureFile);
            } else if (verify) {
                String name = path.getFileName() == null ? "" : path.getFileName().toString();
                candidates.add(path.resolveSibling(name + ".asc"));
                if (!name.endsWith(".aci")) {
                    candidates.add(path.resolveSibling(name + ".aci.asc"));
                }
            }
            try {
                return new LocalFile(path, FileOrigin.identity(path), FileOrigin.signatures(candidates));
            } catch (IOException e) {
                return new LocalFile(path, null, List.of()); // the fetcher will say what is wrong with the file
            }
        }
    }

    /**
     * What a fetcher talking to servers may use: the shared Vert.x instance, the per-URL records,
     * auth.d, and the handling of discovered keys.
     */
    private RemoteAccess remoteAccess(PullPolicy policy, boolean verify, UserLog log) throws KernelException {
        KernelConfig config = kernel.config();
        AuthConfig auth;
        try {
            auth = AuthConfig.read(config.configDirs());
        } catch (IOException e) {
            throw new KernelException(e.getMessage(), e);
        }
        boolean allowHttp = config.insecure("http");
        RemoteAccess.Credentials credentials = url -> {
            String header = auth.authorization(url, allowHttp);
            return header == null ? Map.of() : Map.of("Authorization", header);
        };
        RemoteAccess.Records lookup = url -> recordFor(url, verify);
        RemoteAccess.Keys keys = verify ? new DiscoveredKeys(kernel, log) : (name, urls) -> { };
        return new RemoteAccess(policy == PullPolicy.UPDATE,
                kernel.fetcherResources(),
                lookup, credentials, keys);
    }

    /** The record of {@code url} if its image is still stored and, when verifying, was stored verified. */
    private Optional<RemoteAccess.Remote> recordFor(String url, boolean verify) {
        try {
            Optional<RemoteRecords.Record> r = new RemoteRecords(kernel.config().dataDir()).get(url);
            if (r.isEmpty()) {
                return Optional.empty();
            }
            Optional<StoredImage> image = kernel.store().get(ImageId.parse(r.get().imageId()));
            if (image.isEmpty() || verify && image.get().signer() == null) {
                return Optional.empty();
            }
            RemoteRecords.Record rec = r.get();
            return Optional.of(new RemoteAccess.Remote(rec.url(), rec.imageId(), image.get().size(), rec.etag(),
                    rec.maxAgeSeconds(), rec.downloadTime()));
        } catch (KernelException | ImageException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private Optional<StoredImage> recorded(String url, boolean verify) throws KernelException, ImageException {
        Optional<RemoteAccess.Remote> r = recordFor(url, verify);
        return r.isEmpty() ? Optional.empty() : kernel.store().get(ImageId.parse(r.get().imageId()));
    }

    /** A fetch that downloaded nothing: the stored image, and the record's new download time and ETag. */
    private StoredImage reused(ImageRef ref, FetchedImage fetched, UserLog log) throws KernelException {
        try {
            StoredImage image = kernel.store().get(ImageId.parse(fetched.blob().imageId())).orElseThrow(() ->
                    new KernelException("image " + fetched.blob().imageId() + " of " + fetched.source() + " is no longer in the store"));
            String wrong = ref.kind() == ImageRef.Kind.NAME ? discoveryMismatch(ref, image.name(), image.labels()) : null;
            if (wrong != null) {
                throw new KernelException(wrong); // another name's discovery led to the same URL
            }
            remember(fetched.remote(), image.id().toString(), log);
            return image;
        } catch (ImageException e) {
            throw new KernelException(e.getMessage(), e);
        }
    }

    /** Keeps what the server said about the URL; a record only saves downloads, so failing to write one is not an error. */
    private void remember(FetchedImage.RemoteResult remote, String imageId, UserLog log) {
        try {
            new RemoteRecords(kernel.config().dataDir()).put(new RemoteRecords.Record(remote.aciUrl(), remote.signatureUrl(),
                    imageId, remote.etag(), remote.maxAgeSeconds(), System.currentTimeMillis()));
        } catch (IOException e) {
            log.debug("image: cannot record " + remote.aciUrl() + " for later fetches: " + e.getMessage());
        }
    }

    private static byte[] readSignature(Path file) throws KernelException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new KernelException("error opening signature file: open " + file + ": no such file or directory", e);
        } catch (IOException e) {
            throw new KernelException("error opening signature file: " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The sink a fetcher writes into: stages into the store, verifying the image's signature in
     * the same pass when the user did not turn verification off, and remembers what it staged so
     * that a failed fetch leaves nothing behind.
     */
    private static final class FetchSink implements BlobSink {
        private final ImageStore store;
        private final Keystore keystore;
        private final byte[] givenSignature;
        private final ImageRef discovered;
        private final java.util.function.BooleanSupplier abandoned;
        private BlobDescriptor staged;
        private SignatureCheck check;

        /**
         * @param keystore the keys to verify with, or null to not verify
         * @param givenSignature the user's {@code --signature}, or null for the fetcher's
         * @param discovered the name (and labels) the image is fetched for, or null for a file or URL
         * @param abandoned says when nobody waits for the fetch any more ({@link Kernel#abandonWhen}), or null
         */
        FetchSink(ImageStore store, Keystore keystore, byte[] givenSignature, ImageRef discovered,
                java.util.function.BooleanSupplier abandoned) {
            this.store = store;
            this.keystore = keystore;
            this.givenSignature = givenSignature;
            this.discovered = discovered;
            this.abandoned = abandoned;
        }

        @Override
        public boolean wantsSignature() {
            return keystore != null && givenSignature == null;
        }

        @Override
        public BlobDescriptor write(InputStream archive) throws IOException, FetchException {
            return write(archive, null);
        }

        @Override
        public BlobDescriptor write(InputStream archive, byte[] signature) throws IOException, FetchException {
            ArchiveCheck archiveCheck = ArchiveCheck.NONE;
            if (keystore != null) {
                byte[] detached = givenSignature != null ? givenSignature : signature;
                if (detached == null) {
                    throw new FetchException("error opening signature file: the fetcher brought none for this image"
                            + " (give one with --signature FILE, or skip verification with --insecure-options=image)");
                }
                check = SignatureCheck.of(detached, keystore);
                archiveCheck = check;
            }
            staged = store.stagingSink(discovered == null ? archiveCheck : discoveredAs(discovered, archiveCheck))
                    .write(abandoned == null ? archive : new Abandonable(archive, abandoned));
            return staged;
        }

        SignatureCheck.Signer signer() {
            return check == null ? null : check.signer();
        }

        void discard() {
            if (staged != null) {
                store.discard(staged);
            }
        }
    }

    /** A fetcher's stream that fails at the next read once nobody waits for the fetch: staging then stops and keeps nothing. */
    private static final class Abandonable extends java.io.FilterInputStream {
        private final java.util.function.BooleanSupplier abandoned;

        Abandonable(InputStream in, java.util.function.BooleanSupplier abandoned) {
            super(in);
            this.abandoned = abandoned;
        }

        @Override
        public int read() throws IOException {
            check();
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            check();
            return super.read(b, off, len);
        }

        @Override
        public long skip(long n) throws IOException {
            check();
            return super.skip(n);
        }

        private void check() throws IOException {
            if (abandoned.getAsBoolean()) {
                throw new IOException("abandoned: the client that asked for it went away");
            }
        }
    }
}
