package dev.rktj.journal.agent;

import java.io.OutputStream;
import java.util.List;

/**
 * Owns the commands the agent runs for thin clients: one read-only command, in-process, returning
 * what it would have printed. Called from several connection threads at once, so implementations
 * must be thread safe. A connection's requests are all served on one thread, in order.
 */
public interface AgentHandler {

    ExecResult exec(List<String> args);

    /** As {@link #exec(List)}, knowing who asks; the default ignores it. */
    default ExecResult exec(List<String> args, Peer peer) {
        return exec(args);
    }

    /**
     * Runs a command whose output reaches the client while it runs; returns its exit code, or
     * null to decline it (nothing done and nothing written: the client then runs it itself). The
     * default declines everything.
     */
    default Integer stream(List<String> args, Client client) {
        return null;
    }

    /**
     * The connection whose requests this thread served is closed: release what was held for it.
     * Called on that thread, once, after its last {@link #exec}.
     */
    default void connectionClosed() {}

    /** The process on the other end of a connection. */
    interface Peer {

        /** True when the client's process runs as the same user as the agent's (the socket's peer credentials). */
        boolean sameUser();
    }

    /** The client of a {@link #stream} request, as the command sees it. */
    interface Client extends Peer {

        /** Bytes for the client's standard output; each flush sends what was written. */
        OutputStream out();

        /** Bytes for the client's standard error; each flush sends what was written. */
        OutputStream err();

        /**
         * True once the client has gone (its process ended, or it closed the connection): nobody
         * waits for the outcome, so a command with work left should stop and undo it. Output
         * written after that is dropped.
         */
        boolean gone();
    }
}
