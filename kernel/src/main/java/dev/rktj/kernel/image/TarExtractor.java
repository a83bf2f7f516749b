package dev.rktj.kernel.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Extracts one directory of a tar (an ACI's {@code rootfs}) into a target directory and never
 * writes outside it: climbing and absolute names are refused, nothing is created through a
 * symlink (symlinks are made verbatim and never followed), and hard links may only point at
 * files already extracted. Modes (setuid, setgid, sticky included), mtimes and, when
 * privileged, numeric owners and device nodes are restored.
 */
public final class TarExtractor {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Path target;
    private final String prefix;
    private final boolean privileged;
    /** Cleaned names of the non-directories extracted so far: the only valid hard link targets. */
    private final Set<String> extracted = new HashSet<>();
    /** Directory attributes, applied after everything so that writing their content cannot undo them. */
    private final List<Pending> directories = new ArrayList<>();

    private record Pending(Path path, TarArchiveEntry entry) {}

    /**
     * @param target an existing, empty directory that receives the content of {@code prefix}
     * @param prefix the archive directory to extract ({@code rootfs}); entries elsewhere are skipped
     * @param privileged restore numeric owners and create device nodes and fifos (needs root)
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

    /** Extracts from an uncompressed tar stream; does not close it. */
    public void extract(InputStream tar) throws ImageException {
        TarArchiveInputStream entries = new TarArchiveInputStream(tar);
        TarArchiveEntry e;
        try {
            while ((e = entries.getNextEntry()) != null) {
                extractEntry(e, entries);
            }
        } catch (IOException ex) {
            throw new ImageException("cannot extract the image: " + oneLine(ex), ex);
        }
        for (int i = directories.size() - 1; i >= 0; i--) {
            Pending d = directories.get(i);
            try {
                restore(d.path(), d.entry(), EntryKind.DIR);
            } catch (IOException ex) {
                throw new ImageException("cannot set the attributes of " + ImageId.quote(d.entry().getName()) + ": " + oneLine(ex), ex);
            }
        }
    }

    private void extractEntry(TarArchiveEntry e, InputStream content) throws ImageException, IOException {
        String raw = e.getName();
        String name = clean(raw);
        String rel;
        if (name.equals(prefix)) {
            rel = "";
        } else if (name.startsWith(prefix + "/")) {
            rel = name.substring(prefix.length() + 1);
        } else {
            return;
        }
        EntryKind kind = EntryKind.of(e);
        if (kind == null) {
            throw refuse(raw, "unsupported entry type " + EntryKind.describeFlag(e));
        }
        if (rel.isEmpty()) {
            if (kind != EntryKind.DIR) {
                throw refuse(raw, "not a directory");
            }
            directories.add(new Pending(target, e));
            return;
        }
        Path path = parentOf(raw, rel).resolve(rel.substring(rel.lastIndexOf('/') + 1));
        BasicFileAttributes existing = lstat(path);
        if (existing != null && !(kind == EntryKind.DIR && existing.isDirectory())) {
            throw refuse(raw, "it is already in the image");
        }
        try {
            switch (kind) {
                case DIR -> {
                    if (existing == null) {
                        Files.createDirectory(path);
                    }
                    directories.add(new Pending(path, e));
                    return;
                }
                case FILE -> {
                    try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW)) {
                        content.transferTo(out);
                    }
                }
                case SYMLINK -> {
                    if (e.getLinkName().isEmpty()) {
                        throw refuse(raw, "symlink without a target");
                    }
                    Files.createSymbolicLink(path, path.getFileSystem().getPath(e.getLinkName()));
                }
                case HARDLINK -> {
                    Files.createLink(path, hardLinkTarget(raw, e.getLinkName()));
                    extracted.add(name);
                    // the link shares its target's inode, whose attributes are already right
                    return;
                }
                case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> makeNode(raw, path, e, kind);
                default -> throw new IllegalStateException(kind.toString());
            }
        } catch (java.nio.file.FileAlreadyExistsException ex) {
            throw refuse(raw, "it is already in the image");
        }
        extracted.add(name);
        restore(path, e, kind);
    }

    /** The directory {@code rel} goes in, created as needed, after checking that no ancestor is a symlink. */
    private Path parentOf(String raw, String rel) throws ImageException, IOException {
        Path dir = target;
        String[] parts = rel.split("/");
        StringBuilder walked = new StringBuilder(prefix);
        for (int i = 0; i < parts.length - 1; i++) {
            dir = dir.resolve(parts[i]);
            walked.append('/').append(parts[i]);
            BasicFileAttributes a = lstat(dir);
            if (a == null) {
                Files.createDirectory(dir);
            } else if (a.isSymbolicLink()) {
                throw refuse(raw, "path passes through the symlink " + ImageId.quote(walked.toString()));
            } else if (!a.isDirectory()) {
                throw refuse(raw, ImageId.quote(walked.toString()) + " is not a directory");
            }
        }
        return dir;
    }

    private Path hardLinkTarget(String raw, String linkName) throws ImageException {
        String name;
        try {
            name = EntryNames.cleanLinkTarget(raw, linkName);
        } catch (EntryNames.Refused r) {
            throw new ImageException(r.getMessage());
        }
        if (!name.startsWith(prefix + "/")) {
            throw refuse(raw, "hard link target " + ImageId.quote(linkName) + " is outside the rootfs");
        }
        if (!extracted.contains(name)) {
            throw refuse(raw, "hard link target " + ImageId.quote(linkName) + " is not an earlier file of the image");
        }
        return target.resolve(name.substring(prefix.length() + 1));
    }

    private void makeNode(String raw, Path path, TarArchiveEntry e, EntryKind kind) throws ImageException, IOException {
        if (!privileged) {
            throw refuse(raw, "device nodes and fifos can only be created by root");
        }
        List<String> command = new ArrayList<>(List.of("mknod", path.toString()));
        switch (kind) {
            case CHAR_DEVICE -> command.addAll(List.of("c", Integer.toString(e.getDevMajor()), Integer.toString(e.getDevMinor())));
            case BLOCK_DEVICE -> command.addAll(List.of("b", Integer.toString(e.getDevMajor()), Integer.toString(e.getDevMinor())));
            default -> command.add("p");
        }
        run(raw, command);
    }

    /** Owner, then mtime, then mode: chown clears setuid bits, and a mode may forbid the open that setting times does. */
    private void restore(Path path, TarArchiveEntry e, EntryKind kind) throws IOException {
        if (privileged) {
            Files.setAttribute(path, "unix:uid", (int) e.getLongUserId(), NOFOLLOW);
            Files.setAttribute(path, "unix:gid", (int) e.getLongGroupId(), NOFOLLOW);
        }
        FileTime mtime = e.getLastModifiedTime();
        if (kind == EntryKind.CHAR_DEVICE || kind == EntryKind.BLOCK_DEVICE || kind == EntryKind.FIFO) {
            // The JDK opens a file to set its times: that would block on a fifo and may act on a device.
            setTimesWithoutOpening(path, mtime);
        } else if (mtime != null) {
            Files.getFileAttributeView(path, BasicFileAttributeView.class, NOFOLLOW).setTimes(mtime, null, null);
        }
        if (kind != EntryKind.SYMLINK) {
            // Following is safe: this path was created here, in a tree nobody else writes, and is no
            // symlink; the NOFOLLOW variant would open the file, which a fifo or mode 0200 forbids.
            Files.setAttribute(path, "unix:mode", e.getMode() & 07777);
        }
    }

    private static void setTimesWithoutOpening(Path path, FileTime mtime) throws IOException {
        if (mtime == null) {
            return;
        }
        long seconds = mtime.to(TimeUnit.SECONDS);
        try {
            run(path.toString(), List.of("touch", "-h", "-m", "-d", "@" + seconds, path.toString()));
        } catch (ImageException ex) {
            throw new IOException(ex.getMessage(), ex);
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
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    private static String clean(String raw) throws ImageException {
        try {
            return EntryNames.clean(raw);
        } catch (EntryNames.Refused r) {
            throw new ImageException(r.getMessage());
        }
    }

    private static ImageException refuse(String raw, String reason) {
        return new ImageException(EntryNames.refusing(raw, reason));
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.replaceAll("\\s+", " ").trim();
    }
}
