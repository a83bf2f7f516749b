package dev.rktj.kernel.image;

import dev.rktj.kernel.fs.Durable;
import dev.rktj.kernel.fs.SafeDelete;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.rktj.kernel.appc.Appc;
import dev.rktj.kernel.appc.AppcException;
import dev.rktj.kernel.appc.ImageManifest;
import dev.rktj.kernel.spi.BlobDescriptor;
import dev.rktj.kernel.spi.BlobSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Owns {@code <data>/cas}: immutable image blobs keyed by ID, their manifests and metadata
 * records, and the rendered trees. A blob enters only through a staging sink that has checked
 * it; every file is written to a temp name, synced and renamed, so a crash leaves either the old
 * state or the new one. Several processes may share one store: changes to an image or a tree
 * happen under a file lock in {@code cas/locks}.
 */
public final class ImageStore {

    private static final String TREE_PREFIX = "deps-";
    private static final String RECORD_SUFFIX = ".json";
    private static final String TREE_SIZE_FILE = "size";
    private static final String TREE_HASH_FILE = "hash";
    private static final String TMP_TREE_PREFIX = "tmp-";
    private static final int MIN_ID_HEX = 2;
    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> TREES_MODE =
            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------");

    private static final ObjectMapper RECORDS = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** The on-disk form of a metadata record; times as RFC 3339 text so the files read well. */
    private record ImageRecord(
            String id, String name, Map<String, String> labels, long size,
            String importTime, String lastUsed, String source, String signer) {}

    private final Path cas;
    private final Path blobs;
    private final Path manifests;
    private final Path records;
    private final Path trees;
    private final Path tmp;
    private final Path locks;
    private final Map<String, Deque<StagingSink.Staged>> staged = new HashMap<>();

    private ImageStore(Path cas) {
        this.cas = cas;
        this.blobs = cas.resolve("blob").resolve("sha512");
        this.manifests = cas.resolve("imageManifest").resolve("sha512");
        this.records = cas.resolve("db").resolve("images");
        this.trees = cas.resolve("tree");
        this.tmp = cas.resolve("tmp");
        this.locks = cas.resolve("locks");
    }

    /** Opens (creating as needed) the store under {@code <dataDir>/cas}. */
    public static ImageStore open(Path dataDir) throws ImageException {
        ImageStore store = new ImageStore(dataDir.toAbsolutePath().normalize().resolve("cas"));
        try {
            for (Path dir : List.of(store.blobs, store.manifests, store.records, store.trees, store.tmp, store.locks)) {
                Files.createDirectories(dir);
            }
            // Trees hold setuid and setgid binaries and file capabilities as their images ship them:
            // only root may walk in, or any local user could run them with their owners' powers.
            if (!Files.getPosixFilePermissions(store.trees).equals(TREES_MODE)) {
                Files.setPosixFilePermissions(store.trees, TREES_MODE);
            }
        } catch (IOException e) {
            throw new ImageException("cannot open the image store in " + store.cas + ": " + oneLine(e), e);
        }
        return store;
    }

    /** The store's directory, {@code <dataDir>/cas}. */
    public Path directory() {
        return cas;
    }

    /** A fresh sink for one fetch; what it stages waits for {@link #commit} or {@link #discard}. */
    public BlobSink stagingSink() {
        return stagingSink(ArchiveCheck.NONE);
    }

    /** A fresh sink for one fetch whose archive must also pass {@code check}, in the same pass that stages it. */
    public BlobSink stagingSink(ArchiveCheck check) {
        return new StagingSink(tmp, check, this::addStaged);
    }

    /**
     * Moves a staged blob into the store and records its metadata; an image already stored is
     * refreshed, keeping its signer when this fetch was not verified ({@code signer} null).
     */
    public StoredImage commit(BlobDescriptor descriptor, String source, String signer) throws ImageException {
        StagingSink.Staged s = takeStaged(descriptor);
        ImageId id = s.id();
        try (StoreLock lock = StoreLock.acquire(imageLock(id))) {
            Path blob = blobPath(id);
            Path manifest = manifestPath(id);
            boolean newBlob = false;
            boolean newManifest = false;
            try {
                Files.createDirectories(blob.getParent());
                if (Files.exists(blob)) {
                    Files.delete(s.temp());
                } else {
                    Durable.move(s.temp(), blob);
                    newBlob = true;
                }
                if (!Files.exists(manifest)) {
                    newManifest = true;
                    Durable.write(manifest, s.manifestJson());
                }
                Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                Optional<StoredImage> before = get(id);
                // an unverified fetch of the same bytes does not undo an earlier verification
                String signedBy = signer != null ? signer : before.map(StoredImage::signer).orElse(null);
                StoredImage image = new StoredImage(id, s.manifest().name(), s.manifest().labelMap(), s.size(), now,
                        before.map(StoredImage::lastUsed).orElse(now), source, signedBy);
                writeRecord(image);
                return image;
            } catch (IOException e) {
                // an image is its blob, manifest and record, or nothing: take back what this commit added
                if (newManifest) {
                    deleteQuietly(manifest);
                }
                if (newBlob) {
                    deleteQuietly(blob);
                }
                throw e;
            }
        } catch (IOException e) {
            deleteQuietly(s.temp());
            throw new ImageException("cannot store image " + id + ": " + oneLine(e), e);
        }
    }

    /** Drops a staged blob that will not be committed (a bad signature, a cancelled fetch). */
    public void discard(BlobDescriptor descriptor) {
        try {
            deleteQuietly(takeStaged(descriptor).temp());
        } catch (ImageException e) {
            // nothing staged under that descriptor: nothing to drop
        }
    }

    public Optional<StoredImage> get(ImageId id) {
        return readRecord(recordPath(id));
    }

    /** Every image in the store, oldest import first. */
    public List<StoredImage> list() {
        List<StoredImage> images = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(records, "sha512-*" + RECORD_SUFFIX)) {
            for (Path p : dir) {
                readRecord(p).ifPresent(images::add);
            }
        } catch (IOException e) {
            // an unreadable db directory holds no images we could use
        }
        images.sort(Comparator.comparing(StoredImage::importTime).thenComparing(i -> i.id().hex()));
        return images;
    }

    /** The one image whose ID starts with {@code prefix} ({@code sha512-} and at least 2 hex digits), as rkt resolves. */
    public StoredImage resolveId(String prefix) throws ImageException {
        String key = prefix == null ? "" : prefix.toLowerCase(Locale.ROOT);
        if (!key.startsWith(ImageId.PREFIX)) {
            throw new ImageException("bad image ID " + ImageId.quote(prefix) + ": must start with \"" + ImageId.PREFIX + "\"");
        }
        String hex = key.substring(ImageId.PREFIX.length());
        if (hex.length() < MIN_ID_HEX) {
            throw new ImageException("image ID too short");
        }
        if (hex.length() > 64) {
            hex = hex.substring(0, 64);
        }
        List<StoredImage> matches = new ArrayList<>();
        for (StoredImage image : list()) {
            if (image.id().hex().startsWith(hex)) {
                matches.add(image);
            }
        }
        if (matches.isEmpty()) {
            throw new ImageException("no image IDs found");
        }
        if (matches.size() > 1) {
            throw new ImageException("ambiguous image ID: " + ImageId.quote(key));
        }
        return matches.get(0);
    }

    /**
     * The newest import of {@code name} that has every label asked for. Missing {@code os} and
     * {@code arch} mean the host's; an image without those labels runs anywhere, so it matches.
     */
    public Optional<StoredImage> findByName(String name, Map<String, String> labels) {
        Map<String, String> wanted = ImageMatch.wanted(labels);
        StoredImage best = null;
        for (StoredImage image : list()) {
            if (image.name().equals(name) && ImageMatch.satisfies(image.labels(), wanted)
                    && (best == null || !image.importTime().isBefore(best.importTime()))) {
                best = image;
            }
        }
        return Optional.ofNullable(best);
    }

    public ImageManifest manifest(ImageId id) throws ImageException {
        byte[] json;
        try {
            json = Files.readAllBytes(manifestPath(id));
        } catch (NoSuchFileException e) {
            throw new ImageException("no image with ID " + id + " in the store");
        } catch (IOException e) {
            throw new ImageException("cannot read the manifest of image " + id + ": " + oneLine(e), e);
        }
        try {
            return Appc.parseImageManifest(json);
        } catch (AppcException e) {
            throw new ImageException("stored manifest of image " + id + " is damaged: " + e.getMessage(), e);
        }
    }

    /**
     * The image's rendered rootfs, its dependencies under it, extracting it the first time. Safe to
     * call from many threads and processes at once: one renders, the others wait and then use its tree.
     */
    public Path render(ImageId id) throws ImageException {
        if (get(id).isEmpty()) {
            throw new ImageException("no image with ID " + id + " in the store");
        }
        List<Layers.Layer> layers = Layers.of(this, id);
        String treeId = treeId(layers.stream().map(Layers.Layer::id).toList());
        Path tree = trees.resolve(treeId);
        if (Files.isRegularFile(tree.resolve("rendered"))) {
            return tree.resolve("rootfs");
        }
        Path work = null;
        // shared with prepares: image gc takes it alone before it deletes tmp- trees, this one among them
        try (PrepareLock prepare = sharedPrepareLock(); StoreLock lock = StoreLock.acquire(treeLock(treeId))) {
            if (Files.isRegularFile(tree.resolve("rendered"))) {
                return tree.resolve("rootfs");
            }
            // A tree without its marker is what a crash mid-render leaves behind.
            if (Files.exists(tree)) {
                deleteTree(tree);
            }
            work = Files.createTempDirectory(trees, TMP_TREE_PREFIX);
            // The tree keeps the image's modes for the overlay above it; cas/tree itself keeps users out.
            Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path rootfs = Files.createDirectory(work.resolve("rootfs"));
            TarExtractor extractor = new TarExtractor(rootfs, "rootfs", TarExtractor.runningAsRoot());
            for (Layers.Layer layer : layers) {
                // blobs are stored uncompressed: rendering reads them as they are
                Path blob = blobPath(layer.id());
                try (InputStream in = Files.newInputStream(blob)) {
                    extractor.layer(in, () -> Files.newInputStream(blob), layer.filter());
                } catch (NoSuchFileException e) {
                    throw new ImageException("image " + layer.id() + " has no blob in the store: the store is damaged");
                }
            }
            extractor.finish();
            Files.writeString(work.resolve("image"), id + "\n");
            Files.writeString(work.resolve(TREE_HASH_FILE), TreeHash.of(rootfs) + "\n", StandardCharsets.US_ASCII);
            syncFilesystem(work);
            Durable.move(work, tree);
            work = null;
            Durable.write(tree.resolve("rendered"), new byte[0]);
            return tree.resolve("rootfs");
        } catch (IOException e) {
            throw new ImageException("cannot render image " + id + ": " + oneLine(e), e);
        } finally {
            if (work != null) {
                try {
                    deleteTree(work);
                } catch (IOException e) {
                    // a leftover tmp- tree is garbage for gc, never mistaken for a rendered one
                }
            }
        }
    }

    /** Records that a pod is about to use the image (for {@code image list} and gc). */
    public void markUsed(ImageId id) throws ImageException {
        try (StoreLock lock = StoreLock.acquire(imageLock(id))) {
            StoredImage image = get(id).orElseThrow(() -> new ImageException("no image with ID " + id + " in the store"));
            writeRecord(new StoredImage(image.id(), image.name(), image.labels(), image.size(), image.importTime(),
                    Instant.now().truncatedTo(ChronoUnit.MILLIS), image.source(), image.signer()));
        } catch (IOException e) {
            throw new ImageException("cannot update image " + id + ": " + oneLine(e), e);
        }
    }

    /** Removes the image: its record first (so it is gone at once), then its tree, manifest and blob. */
    public void remove(ImageId id) throws ImageException {
        try (StoreLock lock = StoreLock.acquire(imageLock(id))) {
            Path record = recordPath(id);
            Path blob = blobPath(id);
            if (!Files.exists(record) && !Files.exists(blob)) {
                throw new ImageException("no image with ID " + id + " in the store");
            }
            Files.deleteIfExists(record);
            // one tree for each set of dependencies it was rendered with
            for (String treeId : treesOf(id)) {
                deleteTreeLocked(treeId);
            }
            Files.deleteIfExists(manifestPath(id));
            Files.deleteIfExists(blob);
        } catch (IOException e) {
            throw new ImageException("cannot remove image " + id + ": " + oneLine(e), e);
        }
    }

    // ---------------------------------------------------------------- the prepare lock, trees for gc and verify

    /** rkt's prepare lock, shared: held by a prepare until its pod manifest names its images. */
    public PrepareLock sharedPrepareLock() throws ImageException {
        try {
            return PrepareLock.shared(prepareLockFile());
        } catch (IOException e) {
            throw new ImageException("cannot get the shared prepare lock " + prepareLockFile() + ": " + oneLine(e), e);
        }
    }

    /** rkt's prepare lock, exclusive: no prepare is between resolving its images and naming them in its pod. */
    public PrepareLock exclusivePrepareLock() throws ImageException {
        try {
            return PrepareLock.exclusive(prepareLockFile());
        } catch (IOException e) {
            throw new ImageException("cannot get the exclusive prepare lock " + prepareLockFile() + ": " + oneLine(e), e);
        }
    }

    private Path prepareLockFile() {
        return cas.getParent().resolve("locks").resolve("prepare");
    }

    /** The image and every image it depends on, as it would render now. */
    public java.util.Set<ImageId> closure(ImageId id) throws ImageException {
        java.util.Set<ImageId> ids = new java.util.LinkedHashSet<>();
        Layers.of(this, id).forEach(layer -> ids.add(layer.id()));
        return ids;
    }

    /** The ID of the tree the image renders to now (its dependency closure's). */
    public String treeIdOf(ImageId id) throws ImageException {
        return treePath(id).getFileName().toString();
    }

    /** Every directory in {@code cas/tree}: rendered trees, and {@code tmp-} ones a render or removal left. */
    public List<String> treeIds() throws ImageException {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(trees)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (name.startsWith(TREE_PREFIX) || name.startsWith(TMP_TREE_PREFIX)) {
                    ids.add(name);
                }
            }
        } catch (IOException e) {
            throw new ImageException("cannot list the trees in " + trees + ": " + oneLine(e), e);
        }
        ids.sort(null);
        return ids;
    }

    /** The image a tree was rendered for (its {@code image} file), or null for a {@code tmp-} tree or one cut short. */
    public String treeImage(String treeId) {
        try {
            return Files.readString(trees.resolve(treeId).resolve("image")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Deletes a tree (or a {@code tmp-} leftover) under its lock. The caller holds the prepare lock
     * exclusively, so no render is under way that a {@code tmp-} tree could belong to.
     */
    public void removeTree(String treeId) throws ImageException {
        if (!(treeId.startsWith(TREE_PREFIX) || treeId.startsWith(TMP_TREE_PREFIX)) || treeId.contains("/")) {
            throw new ImageException("not a tree of this store: " + treeId);
        }
        try {
            if (treeId.startsWith(TMP_TREE_PREFIX)) {
                deleteTree(trees.resolve(treeId));
            } else {
                deleteTreeLocked(treeId);
            }
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new ImageException("cannot remove tree " + treeId + ": " + oneLine(e), e);
        }
    }

    private void deleteTreeLocked(String treeId) throws IOException {
        try (StoreLock treeLock = StoreLock.acquire(treeLock(treeId))) {
            Path tree = trees.resolve(treeId);
            if (Files.exists(tree)) {
                // Rename first so a half-deleted tree can never pass for a rendered one.
                Path doomed = Files.createTempDirectory(trees, TMP_TREE_PREFIX).resolve("doomed");
                Files.move(tree, doomed);
                deleteTree(doomed.getParent());
            }
        }
    }

    /** What {@link #checkTree} found. */
    public enum TreeState { NOT_RENDERED, NO_HASH, OK, DAMAGED }

    /** Recomputes the digest of the image's rendered tree and compares it with the one recorded when it was rendered. */
    public TreeState checkTree(ImageId id) throws ImageException {
        Path tree = treePath(id);
        try (StoreLock lock = StoreLock.acquire(treeLock(tree.getFileName().toString()))) {
            if (!Files.isRegularFile(tree.resolve("rendered"))) {
                return TreeState.NOT_RENDERED;
            }
            String recorded;
            try {
                recorded = Files.readString(tree.resolve(TREE_HASH_FILE), StandardCharsets.US_ASCII).strip();
            } catch (NoSuchFileException e) {
                return TreeState.NO_HASH;
            }
            try {
                return recorded.equals(TreeHash.of(tree.resolve("rootfs"))) ? TreeState.OK : TreeState.DAMAGED;
            } catch (NoSuchFileException e) {
                return TreeState.DAMAGED; // the rootfs itself is gone
            }
        } catch (IOException e) {
            throw new ImageException("cannot check the rendered tree of image " + id + ": " + oneLine(e), e);
        }
    }

    /** Deletes the image's tree and renders it again from the blobs; the caller holds the prepare lock exclusively. */
    public Path rerender(ImageId id) throws ImageException {
        removeTree(treeIdOf(id));
        return render(id);
    }

    // ---------------------------------------------------------------- files images were imported from

    /** Where a file's origin record lives: keyed by the file's absolute path. */
    private Path originPath(String file) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-512").digest(file.getBytes(StandardCharsets.UTF_8));
            return records.resolveSibling("files").resolve(java.util.HexFormat.of().formatHex(digest, 0, 32) + RECORD_SUFFIX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-512", e);
        }
    }

    /** What the store remembers of the last import from {@code file}, if anything. */
    public Optional<FileOrigin> origin(String file) {
        try {
            FileOrigin o = RECORDS.readValue(originPath(file).toFile(), FileOrigin.class);
            return o.path().equals(file) ? Optional.of(o) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Remembers that {@code origin.path()}, as it is now, holds the stored image {@code origin.imageId()}. */
    public void rememberOrigin(FileOrigin origin) throws ImageException {
        Path p = originPath(origin.path());
        try {
            Files.createDirectories(p.getParent());
            Durable.write(p, RECORDS.writeValueAsBytes(origin));
        } catch (IOException e) {
            throw new ImageException("cannot record where image " + origin.imageId() + " came from: " + oneLine(e), e);
        }
    }

    // ---------------------------------------------------------------- reading images out (rkt image ...)

    /** The stored archive: the uncompressed tar the image ID is the digest of. */
    public InputStream openBlob(ImageId id) throws ImageException {
        try {
            return Files.newInputStream(blobPath(id));
        } catch (NoSuchFileException e) {
            throw new ImageException("no image with ID " + id + " in the store");
        } catch (IOException e) {
            throw new ImageException("cannot read image " + id + ": " + oneLine(e), e);
        }
    }

    /** Whether the image's archive is in the store. */
    public boolean hasBlob(ImageId id) {
        return Files.isRegularFile(blobPath(id));
    }

    /** The image manifest exactly as the archive holds it. */
    public byte[] manifestJson(ImageId id) throws ImageException {
        try {
            return Files.readAllBytes(manifestPath(id));
        } catch (NoSuchFileException e) {
            throw new ImageException("no image with ID " + id + " in the store");
        } catch (IOException e) {
            throw new ImageException("cannot read the manifest of image " + id + ": " + oneLine(e), e);
        }
    }

    /** Whether the image's tree is rendered and complete. */
    public boolean isRendered(ImageId id) {
        try {
            return Files.isRegularFile(treePath(id).resolve("rendered"));
        } catch (ImageException e) {
            // a dependency is missing: the image cannot have a complete tree
            return false;
        }
    }

    /**
     * Bytes the image's rendered tree takes (every entry's own size, symlinks not followed, as rkt
     * sizes a treestore), or 0 when it is not rendered. Counted once, under the tree's lock, and kept
     * beside the tree in {@code size}, which goes when the tree goes.
     */
    public long treeSize(ImageId id) throws ImageException {
        Path tree = treePath(id);
        Path cached = tree.resolve(TREE_SIZE_FILE);
        try (StoreLock lock = StoreLock.acquire(treeLock(tree.getFileName().toString()))) {
            if (!isRendered(id)) {
                return 0;
            }
            try {
                return Long.parseLong(Files.readString(cached, StandardCharsets.US_ASCII).trim());
            } catch (NoSuchFileException | NumberFormatException e) {
                // not counted yet, or a file this store did not write: count again
            }
            long[] total = {0};
            Files.walkFileTree(tree.resolve("rootfs"), new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    total[0] += attrs.size();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    total[0] += attrs.size();
                    return FileVisitResult.CONTINUE;
                }
            });
            Durable.write(cached, Long.toString(total[0]).getBytes(StandardCharsets.US_ASCII));
            return total[0];
        } catch (IOException e) {
            throw new ImageException("cannot size the rendered tree of image " + id + ": " + oneLine(e), e);
        }
    }

    /**
     * Copies the image's rendered rootfs (dependencies applied, rendering it first if needed) to
     * {@code target}, which must not exist: modes, owners, times, symlinks, hard links and device
     * nodes are kept. The tree is locked meanwhile, so it cannot be removed under the copy.
     */
    public void copyRendered(ImageId id, Path target) throws ImageException {
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            // cp would merge into an existing directory
            throw new ImageException("cannot copy the rendered image " + id + " to " + target + ": it already exists");
        }
        render(id);
        Path tree = treePath(id);
        try (StoreLock lock = StoreLock.acquire(treeLock(tree.getFileName().toString()))) {
            if (!isRendered(id)) {
                throw new ImageException("image " + id + " was removed while it was being copied");
            }
            Process cp = new ProcessBuilder("cp", "-a", "--no-target-directory", tree.resolve("rootfs").toString(), target.toString())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            String output = new String(cp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (cp.waitFor() != 0) {
                throw new ImageException("cannot copy the rendered image " + id + " to " + target + ": "
                        + output.replaceAll("\\s+", " ").trim());
            }
        } catch (IOException e) {
            throw new ImageException("cannot copy the rendered image " + id + " to " + target + ": " + oneLine(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted while copying image " + id, e);
        }
    }

    /** The rendered tree's ID: sha512 over the comma-joined IDs of the image and its dependencies, as rkt computes it. */
    static String treeId(List<ImageId> closure) {
        StringBuilder keys = new StringBuilder();
        for (ImageId id : closure) {
            if (keys.length() > 0) {
                keys.append(',');
            }
            keys.append(id);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-512").digest(keys.toString().getBytes(StandardCharsets.UTF_8));
            return TREE_PREFIX + ImageId.ofDigest(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-512", e);
        }
    }

    /** The trees rendered for {@code id} (their {@code image} file names it). */
    private List<String> treesOf(ImageId id) throws IOException {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(trees, TREE_PREFIX + "*")) {
            for (Path tree : dir) {
                try {
                    if (Files.readString(tree.resolve("image")).strip().equals(id.toString())) {
                        found.add(tree.getFileName().toString());
                    }
                } catch (NoSuchFileException e) {
                    // a tree cut short before its image file was written: it is no tree of anything
                }
            }
        }
        return found;
    }

    Path blobPath(ImageId id) {
        return blobs.resolve(id.hex().substring(0, 2)).resolve(id.toString());
    }

    Path manifestPath(ImageId id) {
        return manifests.resolve(id.hex().substring(0, 2)).resolve(id.toString());
    }

    /** The tree the image renders to: the one of its dependency closure (just itself without dependencies). */
    Path treePath(ImageId id) throws ImageException {
        return trees.resolve(treeId(Layers.of(this, id).stream().map(Layers.Layer::id).toList()));
    }

    private Path recordPath(ImageId id) {
        return records.resolve(id + RECORD_SUFFIX);
    }

    private Path imageLock(ImageId id) {
        return locks.resolve("image-" + id + ".lock");
    }

    Path treeLock(String treeId) {
        return locks.resolve("tree-" + treeId + ".lock");
    }

    private synchronized void addStaged(StagingSink.Staged s) {
        staged.computeIfAbsent(s.id().toString(), k -> new ArrayDeque<>()).add(s);
    }

    private synchronized StagingSink.Staged takeStaged(BlobDescriptor descriptor) throws ImageException {
        Deque<StagingSink.Staged> waiting = descriptor == null ? null : staged.get(descriptor.imageId());
        if (waiting == null || waiting.isEmpty()) {
            throw new ImageException("image " + (descriptor == null ? null : descriptor.imageId())
                    + " was not staged in this store, or was already committed");
        }
        StagingSink.Staged s = waiting.poll();
        if (waiting.isEmpty()) {
            staged.remove(descriptor.imageId());
        }
        return s;
    }

    private void writeRecord(StoredImage image) throws IOException {
        ImageRecord record = new ImageRecord(image.id().toString(), image.name(), image.labels(), image.size(),
                image.importTime().toString(), image.lastUsed().toString(), image.source(), image.signer());
        Durable.write(recordPath(image.id()), RECORDS.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
    }

    // An unreadable record is treated as absent: records are only ever replaced whole, so one
    // that does not parse was not written by this store.
    private static Optional<StoredImage> readRecord(Path path) {
        try {
            ImageRecord r = RECORDS.readValue(path.toFile(), ImageRecord.class);
            return Optional.of(new StoredImage(ImageId.parse(r.id()), r.name(), r.labels(), r.size(),
                    Instant.parse(r.importTime()), Instant.parse(r.lastUsed()), r.source(), r.signer()));
        } catch (IOException | ImageException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Flushes a freshly extracted tree to disk before it is published; syncfs(2) where coreutils offers it. */
    private static void syncFilesystem(Path dir) throws IOException {
        try {
            Process p = new ProcessBuilder("sync", "-f", dir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (p.waitFor() == 0) {
                return;
            }
        } catch (IOException e) {
            // no sync command: fall back to syncing file by file
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while syncing " + dir, e);
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
                        ch.force(true);
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Durable.syncDirectory(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes a tree without following its symlinks or crossing a mount. */
    static void deleteTree(Path root) throws IOException {
        SafeDelete.tree(root);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a leftover in cas/tmp is garbage for gc
        }
    }

    private static String oneLine(Exception e) {
        return Failures.oneLine(e);
    }
}
