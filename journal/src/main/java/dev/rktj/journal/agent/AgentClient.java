package dev.rktj.journal.agent;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Owns one connection to a data directory's journal agent. Imports JDK classes only: a thin
 * command that pings or execs through it must not pay for loading Jackson or Chronicle.
 * One request at a time per connection; methods are synchronized.
 */
public final class AgentClient implements AutoCloseable {

    /** A hung agent must not hang every command: past this, connect treats it as absent. */
    private static final long CONNECT_PING_TIMEOUT_MS = 3000;

    /** The socket, or null for a pair of pipes. */
    private final SocketChannel channel;
    /** The pipes' streams, or null for the socket. */
    private final InputStream pipeIn;
    private final OutputStream pipeOut;
    private final DataInputStream in;
    private final DataOutputStream out;
    private volatile boolean broken;

    private AgentClient(SocketChannel channel) {
        this.channel = channel;
        this.pipeIn = null;
        this.pipeOut = null;
        this.in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 1 << 16));
        this.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
    }

    private AgentClient(InputStream pipeIn, OutputStream pipeOut) {
        this.channel = null;
        this.pipeIn = pipeIn;
        this.pipeOut = pipeOut;
        this.in = new DataInputStream(new BufferedInputStream(pipeIn, 1 << 16));
        this.out = new DataOutputStream(new BufferedOutputStream(pipeOut, 1 << 16));
    }

    /**
     * For a short-lived command: connects through a pair of the agent's named pipes (a fresh JVM
     * reaches its first byte about 40 ms sooner than through the socket), else through the
     * socket; null when no agent answers either way. Such a connection cannot tell that the agent
     * has gone until its next request, which then fails as {@link AgentUnavailableException}.
     */
    public static AgentClient connectThin(Path dataDir) {
        AgentClient client = connectPipes(Protocol.pipesDir(dataDir).toFile());
        return client != null ? client : connect(dataDir);
    }

    /** Claims a ready pair of pipes and pings through it; null when there is none or it does not answer. */
    private static AgentClient connectPipes(File dir) {
        String[] names = dir.list();
        if (names == null) {
            return null;
        }
        for (String name : names) {
            if (!name.endsWith(Protocol.PIPES_READY)) {
                continue;
            }
            String pair = name.substring(0, name.length() - Protocol.PIPES_READY.length());
            int dash = pair.indexOf('-');
            if (dash <= 0 || !new File("/proc/" + pair.substring(0, dash)).isDirectory()) {
                // a killed agent's leftovers: the socket path finds out the rest
                return null;
            }
            if (new File(dir, name).renameTo(new File(dir, pair + Protocol.PIPES_TAKEN))) {
                return openPipes(new File(dir, pair + ".req"), new File(dir, pair + ".rep"));
            }
        }
        return null;
    }

    private static AgentClient openPipes(File req, File rep) {
        Guard guard = Guard.start(null, req, rep, "journal-agent-pipe-guard");
        AgentClient client = null;
        boolean ok;
        try {
            // each open waits for the agent's end: the guard bounds the wait
            FileOutputStream toAgent = new FileOutputStream(req);
            FileInputStream fromAgent;
            try {
                fromAgent = new FileInputStream(rep);
            } catch (IOException e) {
                toAgent.close();
                throw e;
            }
            client = new AgentClient(fromAgent, toAgent);
            ok = client.ping();
        } catch (IOException e) {
            ok = false;
        }
        if (!guard.answeredInTime() || !ok) {
            if (client != null) {
                client.close();
            }
            return null;
        }
        return client;
    }

    /**
     * Connects to the agent of {@code dataDir} and checks it answers; null when none does (no
     * socket, connection refused, a stale socket file, a hung agent or one of another version).
     */
    public static AgentClient connect(Path dataDir) {
        Path socket = Protocol.socket(dataDir);
        if (!Protocol.socketPathFits(socket) || !Files.exists(socket)) {
            return null;
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        AgentClient client = new AgentClient(channel);
        // a Unix-domain SocketChannel has no read timeout; closing it from a guard thread bounds
        // the first answer
        Guard guard = Guard.start(client, null, null, "journal-agent-connect-guard");
        boolean ok;
        try {
            ok = client.ping();
        } catch (IOException e) {
            ok = false;
        }
        // late, the guard closed the connection: whatever ping returned, it is unusable
        if (!guard.answeredInTime() || !ok) {
            client.close();
            return null;
        }
        return client;
    }

    /**
     * Bounds the wait for a new connection's first answer. Late, it closes a socket connection;
     * a pipe client, which may be waiting in an open, it unblocks by opening both pipes itself
     * (read-write, which never waits) and answering STOPPING in the agent's place. A class, not a
     * lambda: a thin client's first lambda costs milliseconds of bootstrap.
     */
    private static final class Guard implements Runnable {
        private final AgentClient socketClient;
        private final File req;
        private final File rep;
        private final AtomicBoolean answered = new AtomicBoolean();
        private Thread thread;

        private Guard(AgentClient socketClient, File req, File rep) {
            this.socketClient = socketClient;
            this.req = req;
            this.rep = rep;
        }

        static Guard start(AgentClient socketClient, File req, File rep, String name) {
            Guard guard = new Guard(socketClient, req, rep);
            guard.thread = new Thread(guard, name);
            guard.thread.setDaemon(true);
            guard.thread.start();
            return guard;
        }

        /** Called once the first answer is in (or failed): false when the guard acted first. */
        boolean answeredInTime() {
            boolean inTime = answered.compareAndSet(false, true);
            thread.interrupt();
            return inTime;
        }

        @Override
        public void run() {
            try {
                Thread.sleep(CONNECT_PING_TIMEOUT_MS);
            } catch (InterruptedException e) {
                return; // answered in time
            }
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            if (socketClient != null) {
                socketClient.close();
                return;
            }
            if (!req.exists() || !rep.exists()) {
                return;
            }
            try (RandomAccessFile r = new RandomAccessFile(req, "rw"); RandomAccessFile w = new RandomAccessFile(rep, "rw")) {
                w.write(Protocol.STOPPING);
                // held open until the client has read it: a pipe's content dies with its last open end
                Thread.sleep(CONNECT_PING_TIMEOUT_MS);
            } catch (IOException e) {
                // gone meanwhile: the agent's end is open or closed, and either ends the wait
            } catch (InterruptedException e) {
                // the client is done with it
            }
        }
    }

    /**
     * Connects, or else starts the agent with {@code startCommand} detached from this process
     * (own session, stdio on /dev/null) and waits up to {@code wait} for it to answer; null if it
     * does not.
     */
    public static AgentClient connectOrStart(Path dataDir, List<String> startCommand, Duration wait) {
        AgentClient client = connect(dataDir);
        if (client != null || startCommand == null || startCommand.isEmpty()) {
            return client;
        }
        if (!Protocol.socketPathFits(Protocol.socket(dataDir))) {
            // the agent could never bind there: do not spawn one just to wait for it
            return null;
        }
        if (!startDetached(startCommand)) {
            return null;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        long pause = 10;
        while (true) {
            client = connect(dataDir);
            if (client != null) {
                return client;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            try {
                Thread.sleep(Math.min(pause, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            pause = Math.min(pause * 2, 100);
        }
    }

    /**
     * {@code setsid -f}: a new session, so a terminal's Ctrl-C (sent to the foreground process
     * group) never reaches the agent, and forked, so nothing of ours waits for it or ends it.
     */
    private static boolean startDetached(List<String> startCommand) {
        List<String> command = new ArrayList<>();
        command.add("setsid");
        command.add("-f");
        command.addAll(startCommand);
        Process launcher;
        try {
            launcher = detachedBuilder(command).start();
        } catch (IOException e) {
            try {
                // no setsid (not util-linux): still detached from our stdio and our exit
                detachedBuilder(startCommand).start();
                return true;
            } catch (IOException again) {
                return false;
            }
        }
        try {
            // setsid -f returns once it has forked; reap it so no zombie stays behind
            launcher.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private static ProcessBuilder detachedBuilder(List<String> command) {
        return new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
    }

    /** True when the agent answers on this connection; false when it is of another version. */
    public synchronized boolean ping() throws IOException {
        send(Protocol.PING, List.of(Protocol.VERSION));
        try {
            expectOk();
            return true;
        } catch (AgentException e) {
            return false;
        } catch (IOException | RuntimeException e) {
            throw broke(e);
        }
    }

    /** Runs a read-only command in the agent. */
    public synchronized ExecResult exec(List<String> args) throws IOException {
        send(Protocol.EXEC, args);
        try {
            expectOk();
            int exitCode = in.readInt();
            byte[] stdout = Protocol.readBytes(in, Protocol.MAX_OUTPUT);
            byte[] stderr = Protocol.readBytes(in, Protocol.MAX_OUTPUT);
            return new ExecResult(exitCode, stdout, stderr);
        } catch (AgentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw broke(e);
        }
    }

    /**
     * Runs a command in the agent, copying its output to {@code stdout} and {@code stderr} as it
     * comes; returns its exit code, or null when the agent declined it (it did nothing: run the
     * command here). The agent closes the connection afterwards. Closing this client, or this
     * process ending, while the command runs tells the agent its client is gone.
     *
     * @throws AgentUnavailableException when the agent did not take the request (nothing done)
     * @throws AgentException when the agent failed to run it
     * @throws IOException when the connection broke meanwhile (the command may have run in part)
     */
    public synchronized Integer stream(List<String> args, OutputStream stdout, OutputStream stderr) throws IOException {
        send(Protocol.STREAM, args);
        try {
            while (true) {
                byte tag = in.readByte();
                switch (tag) {
                    case Protocol.OUT -> copy(stdout);
                    case Protocol.ERR -> copy(stderr);
                    case Protocol.OK -> {
                        int code = in.readInt();
                        close();
                        return code;
                    }
                    case Protocol.DECLINED -> {
                        close();
                        return null;
                    }
                    default -> {
                        answer(tag);
                        throw new IOException("journal agent answered with unknown tag " + tag);
                    }
                }
            }
        } catch (AgentException e) {
            close();
            throw e;
        } catch (IOException | RuntimeException e) {
            throw broke(e);
        }
    }

    private void copy(OutputStream to) throws IOException {
        byte[] bytes = Protocol.readBytes(in, Protocol.MAX_OUTPUT);
        to.write(bytes);
        to.flush();
    }

    /** Appends events (each the stored JSON form); returns their seqs once they are in the queue. */
    public synchronized long[] append(List<String> eventJson) throws IOException {
        send(Protocol.APPEND, eventJson);
        try {
            expectOk();
            int count = in.readInt();
            if (count != eventJson.size()) {
                throw new IOException("journal agent answered " + count + " seqs for " + eventJson.size() + " events");
            }
            long[] seqs = new long[count];
            for (int i = 0; i < count; i++) {
                seqs[i] = in.readLong();
            }
            return seqs;
        } catch (AgentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw broke(e);
        }
    }

    /**
     * Streams every envelope (JSON, seq included) after {@code afterSeq} to {@code envelopeJson}.
     * If the consumer throws, the rest of the stream is unread, so the connection is closed.
     */
    public synchronized void read(long afterSeq, Consumer<String> envelopeJson) throws IOException {
        send(Protocol.READ, List.of(Long.toString(afterSeq)));
        while (true) {
            String json;
            try {
                byte tag = in.readByte();
                if (tag == Protocol.END) {
                    in.readLong();
                    return;
                }
                if (tag != Protocol.ITEM) {
                    answer(tag);
                    throw new IOException("journal agent answered READ with tag " + tag);
                }
                json = Protocol.readString(in);
            } catch (AgentException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw broke(e);
            }
            try {
                envelopeJson.accept(json);
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
        }
    }

    /** Asks the agent to exit; it answers first. */
    public synchronized void shutdown() throws IOException {
        send(Protocol.SHUTDOWN, List.of());
        try {
            expectOk();
        } catch (AgentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw broke(e);
        }
    }

    /**
     * False when this connection is known to be unusable: broken by an error, closed, or closed
     * by the agent (which it does when it exits while this client is idle). Never blocks.
     */
    public synchronized boolean isConnected() {
        if (broken || (channel != null && !channel.isOpen())) {
            return false;
        }
        try {
            if (in.available() > 0) {
                // bytes nobody asked for: the agent said it is stopping, or the stream is out of step
                broken = true;
                return false;
            }
            if (channel == null) {
                // a pipe cannot be polled for its end: a gone agent shows at the next request
                return true;
            }
            channel.configureBlocking(false);
            try {
                int n = channel.read(ByteBuffer.allocate(1));
                // -1: the agent closed it; 1: it said it is stopping, or out of step as above
                if (n != 0) {
                    broken = true;
                }
                return n == 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException | RuntimeException e) {
            broken = true;
            return false;
        }
    }

    @Override
    public void close() {
        // not synchronized: closing from another thread is how a blocked call is interrupted
        broken = true;
        try {
            if (channel != null) {
                channel.close();
            } else {
                pipeOut.close();
                pipeIn.close();
            }
        } catch (IOException e) {
            // nothing to flush and nothing to report: the agent sees the connection end either way
        }
    }

    private void send(byte op, List<String> args) throws IOException {
        if (broken || (channel != null && !channel.isOpen())) {
            throw new IOException("connection to the journal agent is closed");
        }
        try {
            Protocol.writeRequest(out, op, args);
            out.flush();
        } catch (IOException e) {
            // the agent reads a request only once it is whole, and this one never was
            broke(e);
            throw new AgentUnavailableException("the journal agent did not take the request: " + Protocol.oneLine(e), e);
        } catch (RuntimeException e) {
            throw broke(e);
        }
    }

    private void expectOk() throws IOException {
        byte tag = in.readByte();
        if (tag != Protocol.OK) {
            answer(tag);
            throw new IOException("journal agent answered with unknown tag " + tag);
        }
    }

    /** Throws the agent's error if {@code tag} is one; returns for anything else. */
    private void answer(byte tag) throws IOException {
        if (tag == Protocol.ERROR) {
            throw new AgentException(Protocol.readString(in));
        }
        if (tag == Protocol.STOPPING) {
            close();
            throw new AgentUnavailableException("the journal agent is stopping");
        }
    }

    /** A failure mid-request leaves the stream out of step: the connection is done for. */
    private IOException broke(Exception e) {
        broken = true;
        if (e instanceof EOFException) {
            return new IOException("the journal agent closed the connection", e);
        }
        return e instanceof IOException io ? io : new IOException(Protocol.oneLine(e), e);
    }
}
