package dev.rktj.journal.agent;

import dev.rktj.journal.EnvelopeJson;
import dev.rktj.journal.Journal;
import dev.rktj.journal.JournalException;
import dev.rktj.journal.NewEvent;
import dev.rktj.journal.chronicle.ChronicleJournal;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Owns a data directory's journal agent while it runs: the single-instance lock, the Chronicle
 * queue, the listening socket and the connections, and when to stop.
 */
public final class AgentServer {

    /** How often the agent checks that its directory and socket are still the ones it made. */
    private static final long WATCH_MS = 500;
    /** How long a stopping agent lets requests in progress finish. */
    private static final long DRAIN_MS = 10_000;

    /** Returned when another agent already serves the directory. */
    public static final int EXIT_ALREADY_RUNNING = 1;
    /** Returned when the agent could not start: the journal or the socket could not be opened. */
    public static final int EXIT_FAILED = 2;

    private enum Stop { IDLE, SHUTDOWN, GONE }

    private final Path dataDir;
    private final Path journalDir;
    private final Path socket;
    private final Path lockFile;
    private final long idleNanos;

    private final Object state = new Object();
    /** Guarded by {@link #state}: once set, no new request starts. */
    private boolean stopping;
    /** Guarded by {@link #state}. */
    private int inFlight;
    /** Guarded by {@link #state}: System.nanoTime() of the last request's start or end. */
    private long lastActivity;

    private final CountDownLatch shutdownRequested = new CountDownLatch(1);
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private Journal journal;
    private AgentHandler handler;
    private ServerSocketChannel server;
    private volatile FifoDoor fifos;
    private ExecutorService workers;
    private ExecutorService pipeWorkers;
    private Object journalDirKey;
    private Object socketKey;
    private Object dataDirKey;
    private Object lockFileKey;

    private AgentServer(Path dataDir, Duration idleTimeout) {
        this.dataDir = dataDir;
        this.journalDir = Protocol.journalDir(dataDir);
        this.socket = Protocol.socket(dataDir);
        this.lockFile = Protocol.lock(dataDir);
        this.idleNanos = idleTimeout.toNanos();
    }

    /**
     * Serves {@code dataDir}'s journal until idle for {@code idleTimeout}, asked to shut down, or
     * its journal directory or socket file disappears or is replaced. Returns 0 then;
     * {@link #EXIT_ALREADY_RUNNING} at once, printing nothing, when another agent serves the
     * directory; {@link #EXIT_FAILED} with one line on stderr when it cannot start.
     *
     * @param handlerFactory makes the handler of EXEC requests from the agent's journal; null for
     *     an agent that only appends and reads. A handler that is {@link AutoCloseable} is closed
     *     on the way out.
     */
    public static int run(Path dataDir, Function<Journal, AgentHandler> handlerFactory, Duration idleTimeout) {
        return new AgentServer(dataDir, idleTimeout).serve(handlerFactory);
    }

    private int serve(Function<Journal, AgentHandler> handlerFactory) {
        FileChannel lockChannel;
        try {
            // never create the data dir: an agent started just before its directory was deleted
            // would bring it back and serve it forever
            if (!Files.isDirectory(journalDir)) {
                Files.createDirectory(journalDir);
            }
            // identities taken before Chronicle opens the queue: if the directory is deleted while
            // the agent starts, Chronicle recreates the path, and only the identity tells
            dataDirKey = fileKey(dataDir);
            journalDirKey = fileKey(journalDir);
            lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            // Chronicle never creates this file: a journal directory it brought back lacks it
            lockFileKey = fileKey(lockFile);
        } catch (IOException e) {
            return failed("cannot create " + lockFile + ": " + Protocol.oneLine(e));
        }
        try (lockChannel) {
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                // another agent in this very JVM (tests, or an embedding) holds it
                lock = null;
            }
            if (lock == null) {
                return EXIT_ALREADY_RUNNING;
            }
            try {
                return serveLocked(handlerFactory);
            } finally {
                // the socket goes before the lock: the next agent binds only after taking the lock
                deleteOwnSocket();
                lock.release();
            }
        } catch (IOException e) {
            return failed(Protocol.oneLine(e));
        }
    }

    private int serveLocked(Function<Journal, AgentHandler> handlerFactory) {
        try {
            journal = ChronicleJournal.open(journalDir);
        } catch (JournalException e) {
            return failed(e.getMessage());
        }
        if (!directoriesOurs()) {
            // deleted while the queue opened (which may have brought the path back): nothing to serve
            journal.close();
            return 0;
        }
        try {
            handler = handlerFactory == null ? null : handlerFactory.apply(journal);
            openPipes();
            bind();
        } catch (IOException | RuntimeException e) {
            closeServer();
            closePipes();
            closeHandler();
            journal.close();
            return failed("cannot start: " + Protocol.oneLine(e));
        }
        workers = Executors.newCachedThreadPool(daemonThreads("journal-agent-conn-"));
        Thread acceptor = daemonThreads("journal-agent-accept-").newThread(this::acceptLoop);
        synchronized (state) {
            lastActivity = System.nanoTime();
        }
        acceptor.start();

        // killed by a signal (SIGTERM, SIGINT), the JVM runs hooks but not our finally blocks: the
        // socket must still go, or the launcher would take it for a live agent's
        Thread removeSocket = new Thread(this::deleteOwnDoors, "journal-agent-socket-removal");
        Runtime.getRuntime().addShutdownHook(removeSocket);
        Stop stop = Stop.SHUTDOWN;
        try {
            stop = waitForStop();
        } catch (InterruptedException e) {
            // whoever runs us wants it over: stop as if asked to
            Thread.currentThread().interrupt();
        } finally {
            shutDown(stop, acceptor);
            closeHandler();
            journal.close();
            try {
                Runtime.getRuntime().removeShutdownHook(removeSocket);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook runs
            }
        }
        return 0;
    }

    /**
     * The thin commands' cheaper door, made before the socket so that whoever finds the agent
     * finds it whole; without it they use the socket. A pipe's blocked read cannot be
     * interrupted, so its workers are not waited for at the end: an idle one answers STOPPING to
     * whatever comes next, or ends with its client.
     */
    private void openPipes() {
        pipeWorkers = Executors.newCachedThreadPool(daemonThreads("journal-agent-pipe-"));
        FifoDoor door = new FifoDoor(dataDir, pipeWorkers, this::serveFifo);
        if (door.open()) {
            fifos = door;
        } else {
            door.close();
        }
    }

    /**
     * Binds under a temporary name, restricts it to the owner and only then renames it into
     * place, so that the socket is never reachable with the umask's permissions.
     */
    private void bind() throws IOException {
        Files.deleteIfExists(socket);
        // no longer than "agent.sock", so that it fits wherever the socket fits
        Path fresh = journalDir.resolve("agent.new");
        Files.deleteIfExists(fresh);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(fresh));
        Files.setPosixFilePermissions(fresh, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        Files.move(fresh, socket, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        socketKey = fileKey(socket);
    }

    private Stop waitForStop() throws InterruptedException {
        while (true) {
            long wait = WATCH_MS;
            synchronized (state) {
                if (inFlight == 0) {
                    long idleFor = System.nanoTime() - lastActivity;
                    if (idleFor >= idleNanos) {
                        stopping = true;
                        return Stop.IDLE;
                    }
                    wait = Math.min(wait, Math.max(1, TimeUnit.NANOSECONDS.toMillis(idleNanos - idleFor) + 1));
                }
            }
            if (shutdownRequested.await(wait, TimeUnit.MILLISECONDS)) {
                return Stop.SHUTDOWN;
            }
            if (!stillOurs()) {
                return Stop.GONE;
            }
            if (fifos != null) {
                fifos.replenish();
            }
        }
    }

    /** False when the journal directory or the socket file is gone or is no longer ours. */
    private boolean stillOurs() {
        try {
            return directoriesOurs() && Objects.equals(fileKey(socket), socketKey);
        } catch (IOException e) {
            return false;
        }
    }

    /** False when the data or journal directory, or the lock file, is gone or is no longer the one we started with. */
    private boolean directoriesOurs() {
        try {
            return Objects.equals(fileKey(dataDir), dataDirKey) && Objects.equals(fileKey(journalDir), journalDirKey)
                    && Objects.equals(fileKey(lockFile), lockFileKey);
        } catch (IOException e) {
            return false;
        }
    }

    private void shutDown(Stop stop, Thread acceptor) {
        synchronized (state) {
            stopping = true;
        }
        closeServer();
        if (fifos != null) {
            fifos.close();
        }
        try {
            acceptor.join(2000);
            if (stop != Stop.GONE) {
                // wakes the workers waiting for a request: each answers what it began, answers
                // STOPPING to anything else, and closes; so a client never has to guess whether a
                // request it sent was processed
                for (Connection connection : connections) {
                    connection.wake();
                }
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MS);
                synchronized (state) {
                    long left;
                    while (!connections.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
                        state.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Connection connection : connections) {
            connection.close();
        }
        workers.shutdownNow();
        closePipes();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel connection;
            try {
                connection = server.accept();
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
                // out of file descriptors or the like: back off rather than spin
                pause(50);
                continue;
            }
            Connection c = new SocketConnection(connection);
            synchronized (state) {
                if (stopping) {
                    c.close();
                    continue;
                }
                connections.add(c);
            }
            try {
                workers.execute(() -> serveConnection(c));
            } catch (RuntimeException e) {
                connections.remove(c);
                c.close();
            }
        }
    }

    /** A conversation through a pair of named pipes ({@link FifoDoor}), on the worker that opened them. */
    private void serveFifo(FifoDoor.Link link) {
        Connection c = new FifoConnection(link);
        synchronized (state) {
            if (stopping) {
                c.wake();
                c.close();
                return;
            }
            connections.add(c);
        }
        serveConnection(c);
    }

    private void serveConnection(Connection connection) {
        try (connection) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(connection.in(), 1 << 16));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(connection.out(), 1 << 16));
            while (true) {
                if (connection.stoppingBeforeRead(isStopping())) {
                    // a pipe's read cannot be woken: say it here, where it would have been read
                    return;
                }
                int op = in.read();
                connection.busy(op >= 0);
                List<String> args = null;
                if (op >= 0) {
                    try {
                        args = Protocol.readArgs(in);
                    } catch (Protocol.BadFrame e) {
                        error(out, e.getMessage());
                        out.flush();
                        return;
                    } catch (EOFException e) {
                        args = null;
                    }
                }
                if (args == null && !isStopping()) {
                    // the client closed its end
                    return;
                }
                if (args == null || !beginRequest()) {
                    // EOF while stopping is our own shutdownInput, so a request may be unread:
                    // say it was not processed
                    out.writeByte(Protocol.STOPPING);
                    out.flush();
                    return;
                }
                boolean keepOpen;
                try {
                    keepOpen = op == Protocol.STREAM ? stream(args, out, connection) : handle((byte) op, args, out, connection);
                    out.flush();
                } finally {
                    endRequest();
                    connection.busy(false);
                }
                if (!keepOpen) {
                    return;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the client went away or the agent is stopping: nobody is left to tell
        } catch (RuntimeException e) {
            // a bug in a handler must not take the agent down with a stack trace on a closed stderr
        } finally {
            if (handler != null) {
                try {
                    handler.connectionClosed();
                } catch (RuntimeException e) {
                    // the handler's bug; the connection is gone either way
                }
            }
            synchronized (state) {
                connections.remove(connection);
                state.notifyAll();
            }
        }
    }

    private boolean isStopping() {
        synchronized (state) {
            return stopping;
        }
    }

    private boolean beginRequest() {
        synchronized (state) {
            if (stopping) {
                return false;
            }
            inFlight++;
            lastActivity = System.nanoTime();
            return true;
        }
    }

    private void endRequest() {
        synchronized (state) {
            inFlight--;
            lastActivity = System.nanoTime();
            state.notifyAll();
        }
    }

    /** Answers one request; false when the connection must close. */
    private boolean handle(byte op, List<String> args, DataOutputStream out, Connection connection) throws IOException {
        switch (op) {
            case Protocol.PING -> ping(args, out);
            case Protocol.EXEC -> exec(args, out, connection::sameUser);
            case Protocol.APPEND -> append(args, out);
            case Protocol.READ -> read(args, out);
            case Protocol.SHUTDOWN -> {
                // stopping before answering: whatever the client sends after the answer is refused
                synchronized (state) {
                    stopping = true;
                }
                shutdownRequested.countDown();
                out.writeByte(Protocol.OK);
                out.flush();
                return false;
            }
            default -> error(out, "unknown request " + op);
        }
        return true;
    }

    private void ping(List<String> args, DataOutputStream out) throws IOException {
        String version = args.isEmpty() ? "" : args.get(0);
        if (!Protocol.VERSION.equals(version)) {
            error(out, "journal agent speaks protocol " + Protocol.VERSION + ", not " + version);
            return;
        }
        out.writeByte(Protocol.OK);
    }

    private void exec(List<String> args, DataOutputStream out, AgentHandler.Peer peer) throws IOException {
        if (handler == null) {
            error(out, "this journal agent runs no commands");
            return;
        }
        ExecResult result;
        try {
            result = handler.exec(List.copyOf(args), peer);
        } catch (RuntimeException e) {
            error(out, "command failed in the journal agent: " + Protocol.oneLine(e));
            return;
        }
        if (result == null) {
            error(out, "command gave no result in the journal agent");
            return;
        }
        out.writeByte(Protocol.OK);
        out.writeInt(result.exitCode());
        Protocol.writeBytes(out, result.stdout());
        Protocol.writeBytes(out, result.stderr());
    }

    /**
     * Runs a STREAM request: the handler's output goes out in frames as it is flushed, while a
     * watcher reads the otherwise silent connection to tell the handler when its client is gone.
     * Always closes the connection afterwards (returns false): the watcher has been reading it.
     */
    private boolean stream(List<String> args, DataOutputStream out, Connection connection) throws IOException {
        if (handler == null) {
            error(out, "this journal agent runs no commands");
            return false;
        }
        StreamClient client = new StreamClient(out, connection);
        Integer code;
        try {
            client.watch();
            code = handler.stream(List.copyOf(args), client);
        } catch (RuntimeException e) {
            synchronized (out) {
                error(out, "command failed in the journal agent: " + Protocol.oneLine(e));
            }
            return false;
        } finally {
            client.finished = true;
        }
        synchronized (out) {
            if (code == null) {
                out.writeByte(Protocol.DECLINED);
            } else {
                out.writeByte(Protocol.OK);
                out.writeInt(code);
            }
        }
        return false;
    }

    /** The client of one STREAM request: framed output, and whether it is still there. */
    private final class StreamClient implements AgentHandler.Client {
        private final DataOutputStream out;
        private final Connection connection;
        private final OutputStream stdout;
        private final OutputStream stderr;
        private volatile boolean gone;
        /** Set when the request is answered: the connection then closes, which is not the client leaving. */
        volatile boolean finished;

        StreamClient(DataOutputStream out, Connection connection) {
            this.out = out;
            this.connection = connection;
            this.stdout = new Frames(Protocol.OUT);
            this.stderr = new Frames(Protocol.ERR);
        }

        /**
         * Reads the connection until it ends: the client sends nothing after its request, so an
         * end is the client going away (or our own shutdownInput when the agent stops, which lets
         * the command finish). On the socket, the connection closing after the answer ends the
         * read; on pipes, the client's end closing does (a pipe's read cannot be woken).
         */
        void watch() {
            Thread watcher = new Thread(() -> {
                connection.awaitEnd();
                if (!finished && !isStopping()) {
                    gone = true;
                }
            }, "journal-agent-client-watch");
            watcher.setDaemon(true);
            watcher.start();
        }

        @Override public OutputStream out() { return stdout; }
        @Override public OutputStream err() { return stderr; }
        @Override public boolean gone() { return gone; }

        @Override
        public boolean sameUser() {
            return connection.sameUser();
        }

        /** Buffers one stream's bytes and sends them as a frame on flush; drops them once the client is gone. */
        private final class Frames extends OutputStream {
            private final byte tag;
            private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

            Frames(byte tag) {
                this.tag = tag;
            }

            @Override
            public synchronized void write(int b) {
                pending.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                pending.write(b, off, len);
                if (pending.size() >= 1 << 16) {
                    flush();
                }
            }

            @Override
            public synchronized void flush() {
                if (pending.size() == 0) {
                    return;
                }
                byte[] bytes = pending.toByteArray();
                pending.reset();
                if (gone) {
                    return;
                }
                try {
                    synchronized (out) {
                        out.writeByte(tag);
                        Protocol.writeBytes(out, bytes);
                        out.flush();
                    }
                } catch (IOException e) {
                    // nobody reads any more: the client is gone
                    gone = true;
                }
            }
        }
    }

    private void append(List<String> args, DataOutputStream out) throws IOException {
        List<NewEvent> events = new ArrayList<>(args.size());
        List<Long> seqs;
        try {
            // all parsed before any is appended: a bad event in a batch appends none of it
            for (String json : args) {
                events.add(EnvelopeJson.newEvent(json));
            }
            seqs = journal.append(events);
        } catch (JournalException e) {
            error(out, e.getMessage());
            return;
        }
        out.writeByte(Protocol.OK);
        out.writeInt(seqs.size());
        for (long seq : seqs) {
            out.writeLong(seq);
        }
    }

    private void read(List<String> args, DataOutputStream out) throws IOException {
        long afterSeq;
        try {
            afterSeq = Long.parseLong(args.isEmpty() ? "" : args.get(0));
        } catch (NumberFormatException e) {
            error(out, "READ needs a seq, not " + (args.isEmpty() ? "nothing" : args.get(0)));
            return;
        }
        long last;
        try {
            last = journal.read(afterSeq, envelope -> {
                try {
                    out.writeByte(Protocol.ITEM);
                    Protocol.writeString(out, EnvelopeJson.toJson(envelope));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (JournalException e) {
            error(out, e.getMessage());
            return;
        }
        out.writeByte(Protocol.END);
        out.writeLong(last);
    }

    private static void error(DataOutputStream out, String message) throws IOException {
        out.writeByte(Protocol.ERROR);
        String line = message == null || message.isBlank() ? "error" : message;
        int nl = line.indexOf('\n');
        Protocol.writeString(out, nl < 0 ? line : line.substring(0, nl));
    }

    private void closeServer() {
        if (server != null) {
            closeQuietly(server);
        }
    }

    private void closePipes() {
        if (fifos != null) {
            fifos.close();
        }
        if (pipeWorkers != null) {
            pipeWorkers.shutdownNow();
        }
    }

    private void closeHandler() {
        if (handler instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // the agent is exiting; a handler that fails to close loses only its caches
            }
        }
    }

    private void deleteOwnDoors() {
        deleteOwnSocket();
        if (fifos != null) {
            fifos.close();
        }
    }

    /** Deletes the socket file only if it is still the one this agent bound. */
    private void deleteOwnSocket() {
        if (socketKey == null) {
            return;
        }
        try {
            if (Objects.equals(fileKey(socket), socketKey)) {
                Files.deleteIfExists(socket);
            }
        } catch (IOException e) {
            // already gone, or replaced by another agent's: either way not ours to delete
        }
    }

    private static Object fileKey(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    private static int failed(String message) {
        System.err.println("journal agent: " + message);
        return EXIT_FAILED;
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // closing to stop: there is nothing more to do with it
        }
    }

    /** One client's conversation, through the socket or a pair of pipes. */
    private interface Connection extends AutoCloseable {
        java.io.InputStream in() throws IOException;

        java.io.OutputStream out() throws IOException;

        /** Between requests: a request's op byte was read (true), or its answer was sent (false). */
        default void busy(boolean busy) {}

        /** Makes a worker waiting for the next request answer STOPPING and end, when the agent stops. */
        void wake();

        /** Whether the process on the other end runs as this agent's user, as far as the door can tell. */
        boolean sameUser();

        /**
         * Reads, dropping what comes, until the client's end closes or this connection is closed
         * (on a pipe, only the former ends it). For a client that sends nothing more: its leaving.
         */
        void awaitEnd();

        /** True when the worker must end instead of reading the next request (it has said STOPPING). */
        default boolean stoppingBeforeRead(boolean stopping) {
            return false;
        }

        @Override
        void close();
    }

    private static final class SocketConnection implements Connection {
        private final SocketChannel channel;

        SocketConnection(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public java.io.InputStream in() {
            return Channels.newInputStream(channel);
        }

        @Override
        public java.io.OutputStream out() {
            return Channels.newOutputStream(channel);
        }

        /**
         * Reads the channel itself: the streams of {@code Channels} take the channel's blocking
         * lock for reads and writes alike, so a read waiting through them would stop every answer.
         */
        @Override
        public void awaitEnd() {
            ByteBuffer sink = ByteBuffer.allocate(64);
            try {
                while (channel.read(sink) >= 0) {
                    sink.clear();
                }
            } catch (IOException e) {
                // closed under us
            }
        }

        /** The socket's peer credentials. */
        @Override
        public boolean sameUser() {
            try {
                UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
                UserPrincipal self = Files.getOwner(Path.of("/proc/self"));
                return peer != null && peer.user().equals(self);
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }

        @Override
        public void wake() {
            try {
                // the worker reads the end of the stream, sees the agent stopping and says so
                channel.shutdownInput();
            } catch (IOException e) {
                // already closed: its worker is finishing anyway
            }
        }

        @Override
        public void close() {
            closeQuietly(channel);
        }
    }

    /**
     * A pipe's blocked read cannot be woken from another thread, so an idle pair is told STOPPING
     * directly, and its worker, left waiting on the client, ends when the client closes or the JVM exits.
     */
    private final class FifoConnection implements Connection {
        private final FifoDoor.Link link;
        /** Guarded by this. */
        private boolean busy;
        /** Guarded by this. */
        private boolean told;

        FifoConnection(FifoDoor.Link link) {
            this.link = link;
        }

        @Override
        public java.io.InputStream in() {
            return link.in();
        }

        @Override
        public java.io.OutputStream out() {
            return link.out();
        }

        @Override
        public synchronized void busy(boolean busy) {
            this.busy = busy;
        }

        /**
         * Pipes carry no credentials, but only this agent's user (or root) can open them (0600 in a
         * 0700 directory); a handler that must tell root apart compares what the client says it is.
         */
        @Override
        public boolean sameUser() {
            return true;
        }

        @Override
        public void awaitEnd() {
            byte[] sink = new byte[64];
            try {
                while (link.in().read(sink) >= 0) {
                    // nothing is expected: whatever comes is dropped
                }
            } catch (IOException e) {
                // closed under us
            }
        }

        @Override
        public void wake() {
            synchronized (this) {
                if (busy) {
                    // it answers what it began, then finds the agent stopping before its next read
                    return;
                }
                tell();
            }
            synchronized (state) {
                connections.remove(this);
                state.notifyAll();
            }
        }

        @Override
        public synchronized boolean stoppingBeforeRead(boolean stopping) {
            if (stopping) {
                tell();
            }
            return stopping;
        }

        /** Unasked STOPPING, once: the client treats it as the agent gone, and whatever it sent as not processed. */
        private void tell() {
            if (!told) {
                told = true;
                try {
                    link.out().write(Protocol.STOPPING);
                    link.out().flush();
                } catch (IOException e) {
                    // the client is gone
                }
            }
        }

        @Override
        public void close() {
            link.close().run();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
