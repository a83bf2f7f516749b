package dev.rktj.kernel.pod;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The pod lock: the file {@code <pod>/lock}. Stage0 holds a POSIX lock on it (all the JVM can
 * take) while it prepares or watches a pod; the stage1 holds a flock(2) lock on it (util-linux
 * {@code flock}) for as long as the pod's processes live, surviving the JVM. The two kinds do not
 * exclude each other on Linux, so "locked" means: any lock of either kind on the file, read from
 * {@code /proc/locks}.
 *
 * <p>Stage0's POSIX lock covers byte 0 ({@link #create}) or the whole file ({@link #tryAcquire});
 * a thin {@code rkt run} client watching a pod the journal agent prepared holds byte 1
 * ({@link #watch}), so the agent can hand the pod over without a moment where it is unlocked:
 * the client takes byte 1 while the agent still holds byte 0, then the agent lets go. Anyone
 * probing with {@link #tryAcquire} (the whole file) is refused while either is held.
 */
public final class PodLock implements AutoCloseable {

    public static final String FILE = "lock";

    private final FileChannel channel;
    private final FileLock lock;

    private PodLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Creates the lock file of a new pod and takes it. */
    public static PodLock create(Path podDir) throws IOException {
        return lockByte(FileChannel.open(podDir.resolve(FILE), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.READ), 0);
    }

    /**
     * Takes byte 1 of the pod's lock, waiting while someone holds the whole file: the thin client's
     * hold on a pod the journal agent still holds byte 0 of.
     */
    public static PodLock watch(Path podDir) throws IOException {
        return lockByte(FileChannel.open(podDir.resolve(FILE), StandardOpenOption.WRITE, StandardOpenOption.READ), 1);
    }

    /** Waits for an exclusive POSIX lock on one byte of the file; closes the channel when that fails. */
    private static PodLock lockByte(FileChannel ch, long position) throws IOException {
        try {
            return new PodLock(ch, ch.lock(position, 1, false));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Takes the POSIX lock if nobody holds any lock on the pod; null if the pod is locked (by this
     * or another process, of either kind).
     */
    public static PodLock tryAcquire(Path podDir) throws IOException {
        Path f = podDir.resolve(FILE);
        if (!Files.exists(f)) {
            return null;
        }
        FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.READ);
        try {
            FileLock l = ch.tryLock();
            if (l == null) {
                ch.close();
                return null;
            }
            // Our POSIX lock says nothing about a stage1's flock: look for one.
            if (heldInodes(true).contains(inode(f))) {
                l.release();
                ch.close();
                return null;
            }
            return new PodLock(ch, l);
        } catch (OverlappingFileLockException e) {
            ch.close();
            return null;
        }
    }

    /** True when any process holds a lock of either kind on the pod's lock file. */
    public static boolean isLocked(Path podDir) throws IOException {
        Path f = podDir.resolve(FILE);
        if (!Files.exists(f)) {
            return false;
        }
        return heldInodes(false).contains(inode(f));
    }

    /** Device and inode of a file in /proc/locks notation ({@code MAJ:MIN:INODE}, hex device numbers). */
    static String inode(Path f) throws IOException {
        long dev = (Long) Files.getAttribute(f, "unix:dev");
        long ino = (Long) Files.getAttribute(f, "unix:ino");
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        // by hand: String.format would initialise locale data (~20 ms) on the run path
        return hex2(major) + ":" + hex2(minor) + ":" + ino;
    }

    private static String hex2(long n) {
        String h = Long.toHexString(n);
        return h.length() < 2 ? "0" + h : h;
    }

    /** The files currently locked, from /proc/locks; only flock(2) locks when {@code flockOnly}. */
    static Set<String> heldInodes(boolean flockOnly) throws IOException {
        Set<String> held = new HashSet<>();
        List<String> lines = Files.readAllLines(Path.of("/proc/locks"));
        for (String line : lines) {
            // "1: FLOCK  ADVISORY  WRITE 1234 fd:00:5678 0 EOF"; waiters carry "->" and hold nothing
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || f[1].equals("->")) {
                continue;
            }
            if (flockOnly && !f[1].equals("FLOCK")) {
                continue;
            }
            held.add(f[5]);
        }
        return held;
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }
}
