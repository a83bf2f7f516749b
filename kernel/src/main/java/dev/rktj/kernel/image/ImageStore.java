package dev.rktj.kernel.image;

import dev.rktj.kernel.fs.Durable;
import dev.rktj.kernel.fs.SafeDelete;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.rktj.kernel.appc.Appc;
import dev.rktj.kernel.appc.AppcException;
import dev.rktj.kernel.appc.ImageManifest;
import dev.rktj.kernel.appc.Label;
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
import java.util.LinkedHashMap;
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
    private static final int MIN_ID_HEX = 2;

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
            Files.createDirectories(blob.getParent());
            if (Files.exists(blob)) {
                Files.delete(s.temp());
            } else {
                Durable.move(s.temp(), blob);
            }
            Path manifest = manifestPath(id);
            if (!Files.exists(manifest)) {
                Durable.write(manifest, s.manifestJson());
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            Optional<StoredImage> before = get(id);
            // an unverified fetch of the same bytes does not undo an earlier verification
            String signedBy = signer != null ? signer : before.map(StoredImage::signer).orElse(null);
            StoredImage image = new StoredImage(id, s.manifest().name(), labels(s.manifest()), s.size(), now,
                    before.map(StoredImage::lastUsed).orElse(now), source, signedBy);
            writeRecord(image);
            return image;
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
        Map<String, String> wanted = new LinkedHashMap<>(labels == null ? Map.of() : labels);
        wanted.putIfAbsent("os", Appc.HOST_OS);
        wanted.putIfAbsent("arch", Appc.HOST_ARCH);
        StoredImage best = null;
        for (StoredImage image : list()) {
            if (image.name().equals(name) && hasLabels(image, wanted)
                    && (best == null || !image.importTime().isBefore(best.importTime()))) {
                best = image;
            }
        }
        return Optional.ofNullable(best);
    }

    private static boolean hasLabels(StoredImage image, Map<String, String> wanted) {
        for (Map.Entry<String, String> w : wanted.entrySet()) {
            String have = image.labels().get(w.getKey());
            boolean platform = w.getKey().equals("os") || w.getKey().equals("arch");
            if (have == null ? !platform : !have.equals(w.getValue())) {
                return false;
            }
        }
        return true;
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
     * The image's rendered rootfs, extracting it the first time. Safe to call from many threads
     * and processes at once: one renders, the others wait and then use its tree.
     */
    public Path render(ImageId id) throws ImageException {
        if (get(id).isEmpty()) {
            throw new ImageException("no image with ID " + id + " in the store");
        }
        ImageManifest manifest = manifest(id);
        if (!manifest.dependencies().isEmpty()) {
            throw new ImageException("image dependencies are not supported yet: " + manifest.name());
        }
        String treeId = treeId(List.of(id));
        Path tree = trees.resolve(treeId);
        if (Files.isRegularFile(tree.resolve("rendered"))) {
            return tree.resolve("rootfs");
        }
        Path work = null;
        try (StoreLock lock = StoreLock.acquire(treeLock(treeId))) {
            if (Files.isRegularFile(tree.resolve("rendered"))) {
                return tree.resolve("rootfs");
            }
            // A tree without its marker is what a crash mid-render leaves behind.
            if (Files.exists(tree)) {
                deleteTree(tree);
            }
            work = Files.createTempDirectory(trees, "tmp-");
            // Temp directories are private; a tree is read by stage1 helpers that may not run as root.
            Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path rootfs = Files.createDirectory(work.resolve("rootfs"));
            try (InputStream blob = Files.newInputStream(blobPath(id))) {
                new TarExtractor(rootfs, "rootfs", TarExtractor.runningAsRoot()).extract(blob);
            } catch (NoSuchFileException e) {
                throw new ImageException("image " + id + " has no blob in the store: the store is damaged");
            }
            Files.writeString(work.resolve("image"), id + "\n");
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
            String treeId = treeId(List.of(id));
            try (StoreLock treeLock = StoreLock.acquire(treeLock(treeId))) {
                Path tree = trees.resolve(treeId);
                if (Files.exists(tree)) {
                    // Rename first so a half-deleted tree can never pass for a rendered one.
                    Path doomed = Files.createTempDirectory(trees, "tmp-").resolve("doomed");
                    Files.move(tree, doomed);
                    deleteTree(doomed.getParent());
                }
            }
            Files.deleteIfExists(manifestPath(id));
            Files.deleteIfExists(blob);
        } catch (IOException e) {
            throw new ImageException("cannot remove image " + id + ": " + oneLine(e), e);
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

    Path blobPath(ImageId id) {
        return blobs.resolve(id.hex().substring(0, 2)).resolve(id.toString());
    }

    Path manifestPath(ImageId id) {
        return manifests.resolve(id.hex().substring(0, 2)).resolve(id.toString());
    }

    Path treePath(ImageId id) {
        return trees.resolve(treeId(List.of(id)));
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

    private static Map<String, String> labels(ImageManifest manifest) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (Label label : manifest.labels()) {
            labels.put(label.name(), label.value());
        }
        return labels;
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
        String m = e.getMessage();
        if (e instanceof NoSuchFileException) {
            m = "no such file: " + m;
        }
        return m == null ? e.getClass().getSimpleName() : m.replaceAll("\\s+", " ").trim();
    }
}
