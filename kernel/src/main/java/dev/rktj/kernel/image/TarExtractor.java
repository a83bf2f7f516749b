package dev.rktj.kernel.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Extracts one directory of a tar (an ACI's {@code rootfs}) into a target directory and never
 * writes outside it: climbing and absolute names are refused, nothing is created through a
 * symlink (symlinks are made verbatim and never followed), and hard links may only point at
 * files already extracted. Modes (setuid, setgid, sticky included), times, xattrs and, when
 * privileged, numeric owners, device nodes and xattrs outside {@code user.} are restored.
 *
 * <p>Several images can be layered into one target, the highest first ({@link #layer}): a path
 * an earlier layer holds is never replaced, nor anything below a non-directory it holds, which is
 * appc's "later wins" read from the top; a filter leaves out what path whitelists exclude.
 */
public final class TarExtractor {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    /** Which entries of one layer may reach the tree. */
    interface Filter {
        /** @param path the entry's path in the rootfs, with a leading slash ({@code /etc/hosts}) */
        boolean keeps(String path, boolean directory);
    }

    /** Opens an image's tar again, for the rare second pass a layer may need. */
    interface Opener {
        InputStream open() throws IOException;
    }

    private final Path target;
    private final String prefix;
    private final boolean privileged;
    /** Every rootfs path an entry was extracted to, over all layers, with its kind. */
    private final Map<String, EntryKind> claimed = new HashMap<>();
    /** Directory attributes, applied last so that writing their content cannot undo them. */
    private final List<Pending> directories = new ArrayList<>();

    private record Pending(Path path, AciTar.Item item) {
        int depth() {
            return path.getNameCount();
        }
    }

    /**
     * @param target an existing, empty directory that receives the content of {@code prefix}
     * @param prefix the archive directory to extract ({@code rootfs}); entries elsewhere are skipped
     * @param privileged restore numeric owners, xattrs of every namespace, and create device nodes
     *     and fifos (needs root)
     */
    public TarExtractor(Path target, String prefix, boolean privileged) {
        this.target = target;
        this.prefix = prefix;
        this.privileged = privileged;
    }

    /** Whether this process runs as root, which decides whether owners and device nodes can be restored. */
    public static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** Extracts one whole image from an uncompressed tar stream and finishes; does not close it. */
    public void extract(InputStream tar) throws ImageException {
        layer(tar, () -> {
            throw new IllegalStateException("an image extracted whole never needs a second pass");
        }, null);
        finish();
    }

    /**
     * Adds one image below the layers already extracted; {@code filter} null keeps everything.
     * Does not close {@code tar}.
     */
    void layer(InputStream tar, Opener again, Filter filter) throws ImageException {
        Layer layer = new Layer(filter);
        try {
            AciTar entries = new AciTar(tar);
            AciTar.Item item;
            while ((item = entries.next()) != null) {
                layer.accept(item, entries);
            }
            if (!layer.orphans.isEmpty()) {
                try (InputStream second = again.open()) {
                    layer.placeOrphans(new AciTar(second));
                }
            }
        } catch (EntryNames.Refused r) {
            throw new ImageException(r.getMessage());
        } catch (InvalidPathException ex) {
            throw new ImageException("cannot extract the image: a name cannot be written in this system's file name encoding ("
                    + System.getProperty("sun.jnu.encoding") + "); run with a UTF-8 locale", ex);
        } catch (IOException ex) {
            throw new ImageException("cannot extract the image: " + Failures.oneLine(ex), ex);
        }
    }

    /** Sets the directories' attributes, deepest first (a parent's mode may forbid reaching its children). */
    void finish() throws ImageException {
        directories.sort(Comparator.comparingInt(Pending::depth).reversed());
        for (Pending d : directories) {
            try {
                restore(d.path(), d.item());
            } catch (IOException ex) {
                throw new ImageException("cannot set the attributes of " + ImageId.quote(d.item().raw()) + ": " + Failures.oneLine(ex), ex);
            }
        }
    }

    /** One image's pass over its tar. */
    private final class Layer {
        private final Filter filter;
        /** Names of this image's entries, for refusing duplicates. */
        private final Set<String> names = new HashSet<>();
        /** Directories this image's own deeper entries created. */
        private final Set<String> implied = new HashSet<>();
        /** For every non-directory entry, the entry whose inode it is (itself, or a hard link's target). */
        private final Map<String, String> inodeOf = new HashMap<>();
        /** Where this image's inodes were placed in the tree, by the entry that carries their content. */
        private final Map<String, Path> placed = new HashMap<>();
        /** Hard links whose target this image did not place (filtered out or held by a higher layer). */
        private final Map<String, List<Path>> orphans = new LinkedHashMap<>();

        Layer(Filter filter) {
            this.filter = filter;
        }

        void accept(AciTar.Item item, InputStream content) throws EntryNames.Refused, IOException {
            String name = item.name();
            String rel;
            if (name.equals(prefix)) {
                rel = "";
            } else if (name.startsWith(prefix + "/")) {
                rel = name.substring(prefix.length() + 1);
            } else {
                return;
            }
            EntryKind kind = item.kind();
            if (!names.add(name)) {
                throw refuse(item, "it is already in the image");
            }
            if (rel.isEmpty()) {
                if (kind != EntryKind.DIR) {
                    throw refuse(item, "not a directory");
                }
                if (claimed.putIfAbsent(rel, kind) == null) {
                    directories.add(new Pending(target, item));
                }
                return;
            }
            if (kind == EntryKind.HARDLINK) {
                inodeOf.put(name, hardLinkTarget(item));
            } else if (kind != EntryKind.DIR) {
                inodeOf.put(name, name);
            }
            if (implied.contains(rel) && kind != EntryKind.DIR) {
                throw refuse(item, "earlier entries made it a directory");
            }
            if (!kept(rel, kind)) {
                return;
            }
            Path path = parentOf(item, rel).resolve(rel.substring(rel.lastIndexOf('/') + 1));
            BasicFileAttributes existing = lstat(path);
            if (existing != null) {
                // only a directory a higher layer's deeper entries created can be here
                if (kind == EntryKind.DIR && existing.isDirectory()) {
                    claimed.put(rel, kind);
                    directories.add(new Pending(path, item));
                }
                return;
            }
            claimed.put(rel, kind);
            try {
                create(item, kind, path, content);
            } catch (FileAlreadyExistsException ex) {
                throw refuse(item, "it is already in the image");
            }
        }

        /** Whether the entry reaches the tree: not filtered out, not held by a higher layer, not below one's non-directory. */
        private boolean kept(String rel, EntryKind kind) {
            if (filter != null && !filter.keeps("/" + rel, kind == EntryKind.DIR)) {
                return false;
            }
            if (claimed.containsKey(rel)) {
                return false;
            }
            for (int slash = rel.indexOf('/'); slash >= 0; slash = rel.indexOf('/', slash + 1)) {
                String ancestor = rel.substring(0, slash);
                EntryKind above = claimed.get(ancestor);
                // this image's own non-directory above it is refused on the way down, not skipped
                if (above != null && above != EntryKind.DIR && !names.contains(prefix + "/" + ancestor)) {
                    return false;
                }
            }
            return true;
        }

        private void create(AciTar.Item item, EntryKind kind, Path path, InputStream content) throws EntryNames.Refused, IOException {
            switch (kind) {
                case DIR -> {
                    Files.createDirectory(path);
                    directories.add(new Pending(path, item));
                    return;
                }
                case FILE -> {
                    try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW)) {
                        content.transferTo(out);
                    }
                }
                case SYMLINK -> Files.createSymbolicLink(path, path.getFileSystem().getPath(item.linkName()));
                case HARDLINK -> {
                    String inode = inodeOf.get(item.name());
                    Path existing = placed.get(inode);
                    if (existing != null) {
                        Files.createLink(path, existing);
                    } else {
                        orphans.computeIfAbsent(inode, k -> new ArrayList<>()).add(path);
                    }
                    // the link shares its target's inode, whose attributes are that entry's
                    return;
                }
                case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> makeNode(item, path, kind);
                default -> throw new IllegalStateException(kind.toString());
            }
            placed.put(item.name(), path);
            restore(path, item);
        }

        /** Second pass: each orphaned inode is made at its first link's path, the other links join it. */
        void placeOrphans(AciTar entries) throws EntryNames.Refused, IOException {
            AciTar.Item item;
            while ((item = entries.next()) != null && !orphans.isEmpty()) {
                List<Path> links = orphans.remove(item.name());
                if (links == null) {
                    continue;
                }
                Path first = links.get(0);
                placed.remove(item.name());
                create(item, item.kind(), first, entries);
                for (Path link : links.subList(1, links.size())) {
                    Files.createLink(link, first);
                }
            }
            if (!orphans.isEmpty()) {
                throw new IOException("the image changed between two reads: " + orphans.keySet().iterator().next() + " is gone");
            }
        }

        private String hardLinkTarget(AciTar.Item item) throws EntryNames.Refused {
            String name = EntryNames.cleanLinkTarget(item.raw(), item.linkName());
            if (!name.startsWith(prefix + "/")) {
                throw refuse(item, "hard link target " + ImageId.quote(item.linkName()) + " is outside the rootfs");
            }
            String inode = inodeOf.get(name);
            if (inode == null) {
                throw refuse(item, "hard link target " + ImageId.quote(item.linkName()) + " is not an earlier file of the image");
            }
            return inode;
        }

        /** The directory {@code rel} goes in, created as needed, after checking that no ancestor is a symlink. */
        private Path parentOf(AciTar.Item item, String rel) throws EntryNames.Refused, IOException {
            Path dir = target;
            String[] parts = rel.split("/");
            StringBuilder walked = new StringBuilder();
            for (int i = 0; i < parts.length - 1; i++) {
                dir = dir.resolve(parts[i]);
                walked.append(walked.length() == 0 ? "" : "/").append(parts[i]);
                BasicFileAttributes a = lstat(dir);
                if (a == null) {
                    Files.createDirectory(dir);
                    implied.add(walked.toString());
                } else if (a.isSymbolicLink()) {
                    throw refuse(item, "path passes through the symlink " + ImageId.quote(prefix + "/" + walked));
                } else if (!a.isDirectory()) {
                    throw refuse(item, ImageId.quote(prefix + "/" + walked) + " is not a directory");
                }
            }
            return dir;
        }
    }

    private void makeNode(AciTar.Item item, Path path, EntryKind kind) throws EntryNames.Refused, IOException {
        if (!privileged) {
            throw refuse(item, "device nodes and fifos can only be created by root");
        }
        List<String> command = new ArrayList<>(List.of("mknod", path.toString()));
        switch (kind) {
            case CHAR_DEVICE -> command.addAll(List.of("c", Integer.toString(item.header().getDevMajor()), Integer.toString(item.header().getDevMinor())));
            case BLOCK_DEVICE -> command.addAll(List.of("b", Integer.toString(item.header().getDevMajor()), Integer.toString(item.header().getDevMinor())));
            default -> command.add("p");
        }
        try {
            run(item.raw(), command);
        } catch (ImageException ex) {
            throw new IOException(ex.getMessage(), ex);
        }
    }

    /**
     * Owner, then xattrs, then mtime, then mode: chown clears setuid bits and file capabilities, a
     * mode may forbid the write that setting a user xattr needs, and setting xattrs leaves mtime alone.
     * Nothing here follows a symlink or opens the file (a fifo would block, a device might act).
     */
    private void restore(Path path, AciTar.Item item) throws IOException {
        EntryKind kind = item.kind();
        if (privileged) {
            Files.setAttribute(path, "unix:uid", (int) item.header().getLongUserId(), NOFOLLOW);
            Files.setAttribute(path, "unix:gid", (int) item.header().getLongGroupId(), NOFOLLOW);
        }
        for (Map.Entry<String, byte[]> x : item.xattrs().entrySet()) {
            // trusted. and security. need CAP_SYS_ADMIN: without root only user xattrs are restored, as owners are not
            if (privileged || x.getKey().startsWith("user.")) {
                try {
                    LinuxFiles.setXattr(path, x.getKey(), x.getValue());
                } catch (IOException e) {
                    throw new IOException(ImageId.quote(item.raw()) + ": " + e.getMessage(), e);
                }
            }
        }
        FileTime mtime = item.header().getLastModifiedTime();
        if (mtime != null) {
            LinuxFiles.setModifiedTime(path, mtime);
        }
        if (kind != EntryKind.SYMLINK) {
            // Following is safe: this path was created here, in a tree nobody else writes, and is no
            // symlink; the NOFOLLOW variant would open the file, which a fifo or mode 0200 forbids.
            Files.setAttribute(path, "unix:mode", item.header().getMode() & 07777);
        }
    }

    private static void run(String raw, List<String> command) throws ImageException, IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new ImageException("cannot create " + ImageId.quote(raw) + ": " + command.get(0) + ": " + output.replaceAll("\\s+", " ").trim());
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            p.destroy();
            throw new IOException("interrupted while running " + command.get(0), ex);
        }
    }

    private static BasicFileAttributes lstat(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static EntryNames.Refused refuse(AciTar.Item item, String reason) {
        return new EntryNames.Refused(EntryNames.refusing(item.raw(), reason));
    }

}
