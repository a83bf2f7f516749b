package dev.rktj.kernel;

import dev.rktj.journal.JournalException;
import dev.rktj.kernel.event.ImageRemoved;
import dev.rktj.kernel.event.ImageRendered;
import dev.rktj.kernel.fs.Durable;
import dev.rktj.kernel.fs.SafeDelete;
import dev.rktj.kernel.image.ImageException;
import dev.rktj.kernel.image.ImageId;
import dev.rktj.kernel.image.ImageStore;
import dev.rktj.kernel.image.PrepareLock;
import dev.rktj.kernel.image.StoredImage;
import dev.rktj.kernel.image.TarExtractor;
import dev.rktj.kernel.pod.PodService.ImageUser;
import dev.rktj.kernel.view.ImagesView;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The images already in the local store, named as the {@code rkt image} commands take them (an ID
 * prefix or {@code name[:version][,label=value...]}): finding, removing, and reading them out as a
 * manifest, an archive, a directory of their own files or their rendered tree. Never fetches.
 * Every check a user can fail is made before anything is written.
 */
public final class LocalImages {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Kernel kernel;

    LocalImages(Kernel kernel) {
        this.kernel = kernel;
    }

    /**
     * The image an argument names: {@code sha512-} and at least two hex digits is an ID prefix
     * (rkt's {@code image ID too short}, {@code no image IDs found}, {@code ambiguous image ID}); anything
     * else is a name, resolved by {@link ImageName} and {@link ImageStore#findByName}.
     */
    public StoredImage find(String arg) throws KernelException {
        if (arg == null || arg.isEmpty()) {
            throw new KernelException("image ID or name cannot be empty");
        }
        ImageStore store = kernel.store();
        if (arg.toLowerCase(java.util.Locale.ROOT).startsWith(ImageId.PREFIX)) {
            try {
                return store.resolveId(arg);
            } catch (ImageException e) {
                throw new KernelException(e.getMessage(), e);
            }
        }
        ImageName name = ImageName.parse(arg);
        return store.findByName(name.name(), name.labels()).orElseThrow(() ->
                new KernelException("cannot find aci satisfying " + name.describe() + " in the local store"));
    }

    /**
     * {@code rkt image rm}: resolves every argument first, then removes each image (archive, manifest,
     * rendered tree) and records {@code ImageRemoved}. An image that a pod being prepared, prepared
     * or running still needs is kept. Lines go to {@code log} in rkt's words; returns false if any
     * argument named no image or any image could not be removed (the others are removed all the same).
     */
    public boolean remove(List<String> args, UserLog log) throws KernelException {
        if (args.isEmpty()) {
            throw new KernelException("must provide at least one image ID");
        }
        Map<ImageId, StoredImage> targets = new LinkedHashMap<>();
        int failed = 0;
        for (String arg : args) {
            try {
                StoredImage image = find(arg);
                targets.putIfAbsent(image.id(), image);
            } catch (KernelException e) {
                log.err(e.getMessage());
                failed++;
            }
        }
        if (targets.isEmpty()) {
            return report(0, failed, args.size() > 1, log);
        }
        // no prepare may settle on an image between reading what pods use and removing it
        try (PrepareLock lock = prepareLock()) {
            Map<String, List<ImageUser>> users = kernel.pods().imageUsers();
            int removed = 0;
            for (StoredImage image : targets.values()) {
                if (removeOne(image, users, log)) {
                    removed++;
                } else {
                    failed++;
                }
            }
            return report(removed, failed, args.size() > 1, log);
        }
    }

    private PrepareLock prepareLock() throws KernelException {
        try {
            return kernel.store().exclusivePrepareLock();
        } catch (ImageException e) {
            throw new KernelException(e.getMessage(), e);
        }
    }

    /** Removes one image unless a pod needs it, and records {@code ImageRemoved}; says which in rkt's words. */
    private boolean removeOne(StoredImage image, Map<String, List<ImageUser>> users, UserLog log) throws KernelException {
        String what = "aci for image " + quote(image.id().toString()) + " (" + quote(image.name()) + ")";
        List<ImageUser> using = users.getOrDefault(image.id().toString(), List.of());
        try {
            if (!using.isEmpty()) {
                throw new KernelException("it is needed by " + describe(using) + "; remove the pod first");
            }
            kernel.store().remove(image.id());
            kernel.journal().append(new ImageRemoved(image.id().toString()));
        } catch (KernelException | ImageException | JournalException e) {
            log.err("error removing " + what + ": " + e.getMessage());
            return false;
        }
        log.out("successfully removed aci for image: " + quote(image.id().toString()));
        return true;
    }

    private static boolean report(int removed, int failed, boolean countFailures, UserLog log) {
        if (removed > 0) {
            log.err(removed + " image(s) successfully removed");
        }
        if (failed > 0 && countFailures) {
            log.err(failed + " image(s) cannot be removed");
        }
        return failed == 0;
    }

    /**
     * {@code rkt image gc}: first deletes the rendered trees that no stored image renders to any
     * more (their image gone, or its dependencies resolving to other images now) and the
     * {@code tmp-} trees a render or removal left, keeping any tree of an image a running pod uses; then
     * removes the images last used longer than {@code gracePeriod} ago that no pod being prepared,
     * prepared or running uses and that no kept image depends on, oldest use first, each recorded as
     * {@code ImageRemoved}. Lines are rkt's. Returns false if anything could not be removed.
     */
    public boolean gc(Duration gracePeriod, UserLog log) throws KernelException {
        ImageStore store = kernel.store();
        try (PrepareLock lock = prepareLock()) {
            Map<String, List<ImageUser>> users = kernel.pods().imageUsers();
            List<StoredImage> images = store.list();
            boolean ok = true;
            Set<String> current = new HashSet<>();
            for (StoredImage image : images) {
                try {
                    current.add(store.treeIdOf(image.id()));
                } catch (ImageException e) {
                    log.debug("image " + image.id() + " cannot render now: " + e.getMessage());
                }
            }
            for (String treeId : store.treeIds()) {
                // a running pod may have a tree mounted that its image no longer renders to; prepared
                // pods render their image's current tree when they start
                String owner = store.treeImage(treeId);
                boolean mounted = owner != null && users.getOrDefault(owner, List.of()).stream().anyMatch(u -> u.state().equals("running"));
                if (current.contains(treeId) || mounted) {
                    continue;
                }
                try {
                    store.removeTree(treeId);
                    log.err("removed treestore " + quote(treeId));
                } catch (ImageException e) {
                    log.err("error removing treestore " + quote(treeId) + ": " + e.getMessage());
                    ok = false;
                }
            }

            Map<String, Long> viewUse = new HashMap<>();
            for (ImagesView.Image i : kernel.journal().images().all()) {
                viewUse.put(i.id(), i.lastUsedAt());
            }
            Instant cutoff = Instant.now().minus(gracePeriod);
            Map<ImageId, Instant> lastUse = new HashMap<>();
            Set<ImageId> keep = new HashSet<>();
            for (StoredImage image : images) {
                Instant used = image.lastUsed();
                Long journal = viewUse.get(image.id().toString());
                if (journal != null && Instant.ofEpochMilli(journal).isAfter(used)) {
                    used = Instant.ofEpochMilli(journal);
                }
                lastUse.put(image.id(), used);
                if (users.containsKey(image.id().toString()) || !used.isBefore(cutoff)) {
                    keep.add(image.id());
                }
            }
            for (ImageId kept : List.copyOf(keep)) {
                try {
                    keep.addAll(store.closure(kept));
                } catch (ImageException e) {
                    log.debug("image " + kept + " cannot render now, so it needs no dependency: " + e.getMessage());
                }
            }
            List<StoredImage> doomed = new ArrayList<>();
            for (StoredImage image : images) {
                if (!keep.contains(image.id())) {
                    doomed.add(image);
                }
            }
            doomed.sort(Comparator.comparing((StoredImage i) -> lastUse.get(i.id())).thenComparing(i -> i.id().hex()));
            int removed = 0;
            int failed = 0;
            for (StoredImage image : doomed) {
                if (removeOne(image, users, log)) {
                    removed++;
                } else {
                    failed++;
                }
            }
            return report(removed, failed, true, log) && ok;
        } catch (JournalException e) {
            throw new KernelException(e.getMessage(), e);
        } catch (ImageException e) {
            throw new KernelException(e.getMessage(), e);
        }
    }

    /** One image's line of {@code rkt image verify}. */
    public record Verified(StoredImage image, String status, boolean damaged, boolean rebuilt) {}

    /**
     * {@code rkt image verify}: recomputes the digest of each image's rendered tree (every image's
     * when {@code args} is empty) and compares it with the one recorded when the tree was rendered.
     * A damaged tree is rendered again from the stored archives, recorded as {@code ImageRendered},
     * unless a running pod has it mounted; prepared pods pick up the new tree when they start.
     */
    public List<Verified> verify(List<String> args, UserLog log) throws KernelException {
        Map<ImageId, StoredImage> targets = new LinkedHashMap<>();
        if (args.isEmpty()) {
            kernel.store().list().forEach(i -> targets.put(i.id(), i));
        }
        for (String arg : args) {
            StoredImage image = find(arg);
            targets.putIfAbsent(image.id(), image);
        }
        ImageStore store = kernel.store();
        List<Verified> results = new ArrayList<>();
        // no prepare may start using a tree while it is rebuilt
        try (PrepareLock lock = prepareLock()) {
            Map<String, List<ImageUser>> users = kernel.pods().imageUsers();
            for (StoredImage image : targets.values()) {
                ImageStore.TreeState state;
                try {
                    state = store.checkTree(image.id());
                } catch (ImageException e) {
                    results.add(new Verified(image, "cannot check: " + e.getMessage(), true, false));
                    continue;
                }
                switch (state) {
                    case NOT_RENDERED -> results.add(new Verified(image, "not rendered", false, false));
                    case NO_HASH -> results.add(new Verified(image, "no digest recorded (rendered by an older rktj)", false, false));
                    case OK -> results.add(new Verified(image, "ok", false, false));
                    case DAMAGED -> results.add(rebuild(image, users.getOrDefault(image.id().toString(), List.of()), log));
                }
            }
        }
        return results;
    }

    private Verified rebuild(StoredImage image, List<ImageUser> users, UserLog log) throws KernelException {
        List<ImageUser> running = users.stream().filter(u -> u.state().equals("running")).toList();
        if (!running.isEmpty()) {
            return new Verified(image, "damaged, not rebuilt: in use by " + describe(running), true, false);
        }
        ImageStore store = kernel.store();
        try {
            Path rootfs = store.rerender(image.id());
            kernel.journal().append(new ImageRendered(image.id().toString(), rootfs.getParent().getFileName().toString(),
                    store.treeSize(image.id())));
        } catch (ImageException | JournalException e) {
            log.debug("rebuilding the tree of image " + image.id() + ": " + e.getMessage());
            return new Verified(image, "damaged, rebuild failed: " + e.getMessage(), true, false);
        }
        return new Verified(image, "damaged, rebuilt", true, true);
    }

    /** {@code rkt image cat-manifest}: the image manifest as stored. */
    public byte[] manifest(String arg) throws KernelException {
        StoredImage image = find(arg);
        try {
            return kernel.store().manifestJson(image.id());
        } catch (ImageException e) {
            throw new KernelException(e.getMessage(), e);
        }
    }

    /**
     * {@code rkt image export}: writes the stored archive (uncompressed) to {@code file} through a
     * temp file and a rename, so the file is whole or absent; the archive is checked against its ID
     * on the way. An existing file is replaced only when {@code overwrite}.
     */
    public void export(String arg, Path file, boolean overwrite) throws KernelException {
        StoredImage image = find(arg);
        if (Files.exists(file, NOFOLLOW) && !overwrite) {
            throw new KernelException("output ACI file exists (try --overwrite)");
        }
        if (Files.isDirectory(file, NOFOLLOW)) {
            throw new KernelException("output ACI file " + file + " is a directory");
        }
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new KernelException("unable to open output ACI file " + file + ": no such directory " + dir);
        }
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
            try (InputStream in = kernel.store().openBlob(image.id());
                 FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha512.update(buffer, 0, n);
                    ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                }
                out.force(true);
            }
            if (!ImageId.ofDigest(sha512.digest()).equals(image.id())) {
                throw new KernelException("the stored archive of image " + image.id() + " is damaged: its digest does not match");
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            Durable.move(temp, file);
            temp = null;
        } catch (ImageException e) {
            throw new KernelException(e.getMessage(), e);
        } catch (IOException e) {
            throw new KernelException("error writing to output ACI file " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-512", e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    // a leftover dot-file beside the output; the error above says what went wrong
                }
            }
        }
    }

    /**
     * {@code rkt image extract}: the image's own files (no dependencies) into {@code dir}, as
     * {@code manifest} and {@code rootfs/}, or only the rootfs's content with {@code rootfsOnly}.
     */
    public void extract(String arg, Path dir, boolean rootfsOnly, boolean overwrite) throws KernelException {
        StoredImage image = find(arg);
        checkOutputDirectory(dir, overwrite);
        ImageStore store = kernel.store();
        writeDirectory(image, dir, rootfsOnly, rootfs -> {
            Files.createDirectory(rootfs);
            try (InputStream blob = store.openBlob(image.id())) {
                new TarExtractor(rootfs, "rootfs", TarExtractor.runningAsRoot()).extract(blob);
            }
        });
    }

    /**
     * {@code rkt image render}: the image as its apps see it (dependencies applied), copied from the
     * tree store (rendering it there first, which is recorded as {@code ImageRendered}) into
     * {@code dir}, laid out as {@link #extract} does.
     */
    public void render(String arg, Path dir, boolean rootfsOnly, boolean overwrite) throws KernelException {
        StoredImage image = find(arg);
        checkOutputDirectory(dir, overwrite);
        ImageStore store = kernel.store();
        try {
            if (!store.isRendered(image.id())) {
                Path rootfs = store.render(image.id());
                kernel.journal().append(new ImageRendered(image.id().toString(), rootfs.getParent().getFileName().toString(),
                        store.treeSize(image.id())));
            }
        } catch (ImageException | JournalException e) {
            throw new KernelException(e.getMessage(), e);
        }
        writeDirectory(image, dir, rootfsOnly, rootfs -> store.copyRendered(image.id(), rootfs));
    }

    /** Fills a fresh {@code rootfs} directory (which it creates). */
    private interface RootfsWriter {
        void write(Path rootfs) throws IOException, ImageException;
    }

    private void checkOutputDirectory(Path dir, boolean overwrite) throws KernelException {
        Path out = dir.toAbsolutePath().normalize();
        if (!Files.exists(out, NOFOLLOW)) {
            return;
        }
        if (!overwrite) {
            throw new KernelException("output directory exists (try --overwrite)");
        }
        if (out.getParent() == null) {
            throw new KernelException("this would delete your root filesystem. Refusing.");
        }
        Path data = kernel.config().dataDir().toAbsolutePath().normalize();
        if (data.startsWith(out)) {
            throw new KernelException("refusing to overwrite " + out + ": it holds rkt's data directory " + data);
        }
    }

    /**
     * Builds the output in a temp directory beside {@code dir} and renames it into place only when
     * complete, replacing what was there: a failure leaves {@code dir} as it was.
     */
    private void writeDirectory(StoredImage image, Path dir, boolean rootfsOnly, RootfsWriter writer) throws KernelException {
        Path out = dir.toAbsolutePath().normalize();
        Path work = null;
        try {
            Files.createDirectories(out.getParent());
            work = Files.createTempDirectory(out.getParent(), "." + out.getFileName() + ".rkt-");
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path rootfs = work.resolve("rootfs");
            writer.write(rootfs);
            if (!rootfsOnly) {
                Files.write(work.resolve("manifest"), kernel.store().manifestJson(image.id()));
                Files.setPosixFilePermissions(work.resolve("manifest"), PosixFilePermissions.fromString("rw-r--r--"));
            }
            if (Files.exists(out, NOFOLLOW)) {
                SafeDelete.tree(out);
            }
            Durable.move(rootfsOnly ? rootfs : work, out);
            if (!rootfsOnly) {
                work = null;
            }
        } catch (ImageException e) {
            throw new KernelException(e.getMessage(), e);
        } catch (IOException e) {
            throw new KernelException("error writing output directory " + out + ": " + e.getMessage(), e);
        } finally {
            if (work != null) {
                try {
                    SafeDelete.tree(work);
                } catch (IOException e) {
                    // a leftover dot-directory beside the output; the error above says what went wrong
                }
            }
        }
    }

    private static String describe(List<ImageUser> users) {
        List<String> pods = new ArrayList<>();
        for (ImageUser u : users) {
            pods.add(u.state() + " pod " + quote(u.uuid()));
        }
        return String.join(", ", pods);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
