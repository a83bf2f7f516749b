package dev.rktj.journal.agent;

import java.util.List;

/**
 * Owns the commands the agent runs for thin clients: one read-only command, in-process, returning
 * what it would have printed. Called from several connection threads at once, so implementations
 * must be thread safe. A connection's requests are all served on one thread, in order.
 */
public interface AgentHandler {

    ExecResult exec(List<String> args);

    /**
     * The connection whose requests this thread served is closed: release what was held for it.
     * Called on that thread, once, after its last {@link #exec}.
     */
    default void connectionClosed() {}
}
