package dev.rktj.journal.agent;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The agent's second way in: pairs of named pipes in {@code journal/agent.d/}, which a thin
 * command opens with plain file streams. A Unix-domain {@code SocketChannel} costs a fresh JVM
 * 35-55 ms before its first byte (the JDK's selector provider lookup and the {@code SecureRandom}
 * its Unix-domain sockets seed); a named pipe costs about 2 ms. The socket stays the agent's
 * main door: a client that finds no free pair, or any trouble, uses it.
 *
 * <p>A pair {@code N} is two pipes, {@code N.req} (client to agent) and {@code N.rep} (agent to
 * client), and the marker {@code N.ready}. A client claims the pair by renaming the marker to
 * {@code N.taken} (only one rename succeeds), opens {@code N.req} for writing, {@code N.rep} for
 * reading (neither open waits while the agent lives: it holds both pipes open), and speaks
 * {@link Protocol} as on the socket. The agent's worker for the pair waits in a read of
 * {@code N.req}; the files are deleted once the first request arrives, and a new pair replaces
 * it. A client's end closing (it exits, or is killed) ends the request stream, which is how the
 * agent learns the connection is over, as with the socket. The directory and the pipes are the
 * owner's only (0700, 0600), like the socket.
 */
final class FifoDoor {

    /** Pairs kept ready: more clients at once than this use the socket. */
    private static final int READY = 3;
    /** A pair claimed but not spoken through for this long belongs to a client that died in between. */
    private static final long CLAIM_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final String READY_SUFFIX = Protocol.PIPES_READY;
    private static final String TAKEN_SUFFIX = Protocol.PIPES_TAKEN;

    /** One conversation through a pair, for the agent's connection loop. */
    record Link(InputStream in, OutputStream out, Runnable close) {}

    /**
     * A pair waiting for its client. The agent holds both pipes open read-write ("keepers"), so
     * that nobody's open of them waits, and its worker waits in a read of the request pipe.
     * Closing the keepers ends that read (no writer is left), whether or not the files still
     * exist: that is how a waiting worker is stopped, even after its directory was deleted.
     */
    private static final class Pair {
        final String name;
        final RandomAccessFile reqKeeper;
        final RandomAccessFile repKeeper;
        /** System.nanoTime() its claim was first seen; 0 while unclaimed. */
        long claimSeen;

        Pair(String name, RandomAccessFile reqKeeper, RandomAccessFile repKeeper) {
            this.name = name;
            this.reqKeeper = reqKeeper;
            this.repKeeper = repKeeper;
        }

        void closeKeepers() {
            closeQuietly(reqKeeper);
            closeQuietly(repKeeper);
        }
    }

    private final Path dir;
    private final Executor workers;
    private final Consumer<Link> serve;
    private final String prefix;
    /** Guarded by this: the pairs whose worker waits for its client's first bytes. */
    private final Map<String, Pair> waiting = new HashMap<>();
    /** Guarded by this. */
    private int next;
    /** Guarded by this. */
    private boolean closed;

    /**
     * @param serve runs one conversation to its end on the calling (worker) thread
     */
    FifoDoor(Path dataDir, Executor workers, Consumer<Link> serve) {
        this.dir = Protocol.pipesDir(dataDir);
        this.workers = workers;
        this.serve = serve;
        // the pid in every name: a client checks the agent is alive before it waits on a pipe
        this.prefix = ProcessHandle.current().pid() + "-";
    }

    /** Makes the directory afresh (a killed agent's leftovers go) and the first pairs; false if it cannot. */
    boolean open() {
        try {
            clear();
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
        return replenish();
    }

    /**
     * Tops the waiting pairs up to {@link #READY}, and frees pairs claimed by clients that never
     * spoke. Called at start, after each claim and from the agent's watch loop.
     */
    synchronized boolean replenish() {
        if (closed) {
            return false;
        }
        String[] names = dir.toFile().list();
        if (names == null) {
            return false;
        }
        long now = System.nanoTime();
        for (String name : names) {
            Pair pair = name.endsWith(TAKEN_SUFFIX) ? waiting.get(name.substring(0, name.length() - TAKEN_SUFFIX.length())) : null;
            if (pair == null) {
                continue;
            }
            if (pair.claimSeen == 0) {
                pair.claimSeen = now;
            } else if (now - pair.claimSeen > CLAIM_TIMEOUT_NANOS) {
                // its worker reads the end of the requests and forgets the pair
                pair.closeKeepers();
            }
        }
        // counted from the workers still waiting, never from the directory: files deleted under
        // the agent (its data dir being removed) are not made again
        for (int open = waiting.size(); open < READY; open++) {
            if (!newPair()) {
                return false;
            }
        }
        return true;
    }

    /** Ends the workers waiting for a client and deletes every pair. */
    void close() {
        synchronized (this) {
            closed = true;
            for (Pair pair : waiting.values()) {
                pair.closeKeepers();
            }
        }
        try {
            clear();
        } catch (IOException e) {
            // the journal directory is going or gone: nothing of ours is left to find
        }
    }

    private boolean newPair() {
        String name = prefix + next++;
        Path req = dir.resolve(name + ".req");
        Path rep = dir.resolve(name + ".rep");
        try {
            Process mkfifo = new ProcessBuilder("mkfifo", "-m", "600", req.toString(), rep.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (mkfifo.waitFor() != 0) {
                return false;
            }
            // read-write opens of a pipe never wait
            RandomAccessFile reqKeeper = new RandomAccessFile(req.toFile(), "rw");
            RandomAccessFile repKeeper;
            FileInputStream in;
            try {
                repKeeper = new RandomAccessFile(rep.toFile(), "rw");
                // does not wait either: the keeper is a writer
                in = new FileInputStream(req.toFile());
            } catch (IOException e) {
                closeQuietly(reqKeeper);
                throw e;
            }
            Pair pair = new Pair(name, reqKeeper, repKeeper);
            waiting.put(name, pair);
            workers.execute(() -> converse(pair, in, req, rep));
            Files.createFile(dir.resolve(name + READY_SUFFIX));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Waits for the client's first bytes; by then it has both pipes open (it opens them before
     * it writes). The agent then answers through a write-only end of its own, so that a client
     * gone mid-answer is a broken pipe rather than a full one, lets its keepers go (the client's
     * end closing is now the end of the requests), and the files go.
     */
    private void converse(Pair pair, FileInputStream in, Path req, Path rep) {
        int first;
        try {
            first = in.read();
        } catch (IOException e) {
            first = -1;
        }
        FileOutputStream out = null;
        if (first >= 0) {
            try {
                out = new FileOutputStream(rep.toFile());
            } catch (FileNotFoundException e) {
                // deleted under us: no way to answer
            }
        }
        boolean stopping;
        synchronized (this) {
            waiting.remove(pair.name);
            pair.closeKeepers();
            stopping = closed;
        }
        deleteQuietly(req);
        deleteQuietly(rep);
        deleteQuietly(dir.resolve(pair.name + TAKEN_SUFFIX));
        deleteQuietly(dir.resolve(pair.name + READY_SUFFIX));
        if (stopping) {
            closeQuietly(out);
            out = null;
        } else {
            try {
                workers.execute(this::replenish);
            } catch (RejectedExecutionException e) {
                // the agent is stopping: no more pairs
            }
        }
        if (out == null) {
            closeQuietly(in);
            return;
        }
        FileOutputStream answers = out;
        serve.accept(new Link(new SequenceInputStream(new ByteArrayInputStream(new byte[] {(byte) first}), in), answers, () -> {
            closeQuietly(in);
            closeQuietly(answers);
        }));
    }

    private void clear() throws IOException {
        File[] files = dir.toFile().listFiles();
        if (files != null) {
            for (File f : files) {
                Files.deleteIfExists(f.toPath());
            }
        }
        Files.deleteIfExists(dir);
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // the directory went first
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException e) {
            // closing to end the conversation
        }
    }
}
