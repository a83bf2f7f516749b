package dev.rktj.journal.agent;

import java.io.IOException;

/**
 * The agent answered with an error: the request had no effect beyond what the message says, and
 * the connection is still usable. Distinct from {@link AgentUnavailableException} (the request
 * never reached an agent that would process it) and from a plain {@link IOException} (the
 * connection broke while the agent had the request: the outcome is unknown).
 */
public final class AgentException extends IOException {

    public AgentException(String message) {
        super(message);
    }
}
