package dev.rktj.journal.agent;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Owns the agent's wire format and file names. JDK classes only: the thin client loads it.
 *
 * <p>Request: op byte, int count, count × (int length, UTF-8 bytes). Response: a tag byte, then
 * for OK the op's payload (EXEC: int exit, bytes stdout, bytes stderr; APPEND: int n, n × long
 * seq; others nothing), for ERROR a one-line message, for READ any number of ITEM strings and
 * then END with the last seq (or ERROR), and STOPPING in place of any answer to a request the
 * agent will not process. Bytes and strings are int length + content.
 *
 * <p>STREAM runs a command whose output reaches the client while it runs: any number of OUT and
 * ERR frames (bytes each), then OK with the exit code, DECLINED (the agent did nothing: the
 * client runs the command itself) or ERROR; STOPPING only in place of the first frame. The
 * client sends nothing after a STREAM request, and the agent closes the connection after the
 * last frame: the agent watches the idle connection to learn when the client goes away.
 */
final class Protocol {

    /** Sent with PING; an agent of another version answers ERROR and is treated as absent. */
    static final String VERSION = "1";

    static final byte PING = 1;
    static final byte EXEC = 2;
    static final byte APPEND = 3;
    static final byte READ = 4;
    static final byte SHUTDOWN = 5;
    static final byte STREAM = 6;

    static final byte OK = 0;
    static final byte ERROR = 1;
    static final byte ITEM = 2;
    static final byte END = 3;
    /**
     * Instead of an answer: the agent is stopping and did not process the request (or, unasked, it
     * is stopping and will process none); the connection then closes. Safe to retry elsewhere.
     */
    static final byte STOPPING = 4;
    /** A STREAM frame for the client's standard output. */
    static final byte OUT = 5;
    /** A STREAM frame for the client's standard error. */
    static final byte ERR = 6;
    /** The end of a STREAM the agent declined: it did nothing and wrote nothing. */
    static final byte DECLINED = 7;

    /** Bounds that keep a garbled length from allocating the heap away. */
    static final int MAX_ARGS = 1 << 20;
    static final int MAX_STRING = 64 << 20;
    static final int MAX_OUTPUT = 256 << 20;

    /** sockaddr_un.sun_path is 108 bytes including the terminating NUL. */
    static final int MAX_SOCKET_PATH = 107;

    private Protocol() {}

    static Path journalDir(Path dataDir) {
        return dataDir.resolve("journal");
    }

    static Path socket(Path dataDir) {
        return journalDir(dataDir).resolve("agent.sock");
    }

    static Path lock(Path dataDir) {
        return journalDir(dataDir).resolve("agent.lock");
    }

    /** The agent's named pipes ({@link FifoDoor}). */
    static Path pipesDir(Path dataDir) {
        return journalDir(dataDir).resolve("agent.d");
    }

    /** A pair of pipes ready to be claimed, and one claimed: {@code <agent pid>-<n>} plus these. */
    static final String PIPES_READY = ".ready";
    static final String PIPES_TAKEN = ".taken";

    static boolean socketPathFits(Path socket) {
        return socket.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH;
    }

    static void writeRequest(DataOutput out, byte op, List<String> args) throws IOException {
        out.writeByte(op);
        out.writeInt(args.size());
        for (String arg : args) {
            writeString(out, arg);
        }
    }

    /** The arguments of a request whose op byte was already read. */
    static List<String> readArgs(DataInput in) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > MAX_ARGS) {
            throw new BadFrame("bad request: " + count + " arguments");
        }
        List<String> args = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            args.add(readString(in));
        }
        return args;
    }

    static void writeString(DataOutput out, String s) throws IOException {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    static String readString(DataInput in) throws IOException {
        return new String(readBytes(in, MAX_STRING), StandardCharsets.UTF_8);
    }

    static void writeBytes(DataOutput out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static byte[] readBytes(DataInput in, int max) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > max) {
            throw new BadFrame("bad frame: length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    /** A length or count out of bounds: the peer is not speaking this protocol, or is out of step. */
    static final class BadFrame extends IOException {
        BadFrame(String message) {
            super(message);
        }
    }

    /** First line of a message, never empty: errors cross the socket as one line. */
    static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
