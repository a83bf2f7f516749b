package dev.rktj.kernel.image;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * rkt's prepare lock, {@code <data>/locks/prepare}: shared by every prepare from the moment it
 * resolves its images until its pod manifest names them (and by every render, which may leave a
 * {@code tmp-} tree behind for a moment), exclusive for {@code image gc} and {@code image rm},
 * which read what pods use and then delete what nobody does. Held against threads and processes:
 * a JVM holds one shared file lock for all its shared holders, because a JVM cannot hold two
 * locks on one file; a thread that holds the lock exclusively may take it shared again.
 */
public final class PrepareLock implements AutoCloseable {

    private static final ConcurrentHashMap<Path, Holder> HOLDERS = new ConcurrentHashMap<>();

    /** The JVM's state for one lock file. */
    private static final class Holder {
        final ReentrantReadWriteLock threads = new ReentrantReadWriteLock();
        FileChannel channel;
        FileLock fileLock;
        int sharedFileUsers;
    }

    private final Holder holder;
    private final boolean exclusive;
    private final boolean countedShared;
    private boolean closed;

    private PrepareLock(Holder holder, boolean exclusive, boolean countedShared) {
        this.holder = holder;
        this.exclusive = exclusive;
        this.countedShared = countedShared;
    }

    /** Waits for the lock shared with other prepares. */
    static PrepareLock shared(Path lockFile) throws IOException {
        Holder h = holder(lockFile);
        h.threads.readLock().lock();
        if (h.threads.isWriteLockedByCurrentThread()) {
            return new PrepareLock(h, false, false); // the exclusive file lock covers it
        }
        try {
            synchronized (h) {
                if (h.sharedFileUsers == 0) {
                    lockFile(h, lockFile, true);
                }
                h.sharedFileUsers++;
            }
            return new PrepareLock(h, false, true);
        } catch (IOException | RuntimeException e) {
            h.threads.readLock().unlock();
            throw e;
        }
    }

    /** Waits until no prepare holds the lock, in this JVM or any other, and holds it alone. */
    static PrepareLock exclusive(Path lockFile) throws IOException {
        Holder h = holder(lockFile);
        if (h.threads.getReadHoldCount() > 0) {
            throw new IllegalStateException("the prepare lock is held shared by this thread: it cannot wait for itself");
        }
        h.threads.writeLock().lock();
        if (h.threads.getWriteHoldCount() > 1) {
            return new PrepareLock(h, true, false);
        }
        try {
            synchronized (h) {
                lockFile(h, lockFile, false);
            }
            return new PrepareLock(h, true, true);
        } catch (IOException | RuntimeException e) {
            h.threads.writeLock().unlock();
            throw e;
        }
    }

    private static Holder holder(Path lockFile) {
        return HOLDERS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), k -> new Holder());
    }

    private static void lockFile(Holder h, Path lockFile, boolean shared) throws IOException {
        Files.createDirectories(lockFile.getParent());
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            h.fileLock = channel.lock(0, Long.MAX_VALUE, shared);
            h.channel = channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static void unlockFile(Holder h) {
        try {
            h.channel.close(); // releases the file lock with it
        } catch (IOException e) {
            // the descriptor is gone either way, and with it the lock
        }
        h.channel = null;
        h.fileLock = null;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (exclusive) {
            if (countedShared) {
                synchronized (holder) {
                    unlockFile(holder);
                }
            }
            holder.threads.writeLock().unlock();
            return;
        }
        if (countedShared) {
            synchronized (holder) {
                if (--holder.sharedFileUsers == 0) {
                    unlockFile(holder);
                }
            }
        }
        holder.threads.readLock().unlock();
    }
}
