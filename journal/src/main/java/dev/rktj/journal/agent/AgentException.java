package dev.rktj.journal.agent;

import java.io.IOException;

/**
 * The agent answered, with an error: the connection is still usable and the request had no effect
 * beyond what the message says. Distinct from a plain {@link IOException}, where the connection
 * broke and the outcome is unknown.
 */
public final class AgentException extends IOException {

    public AgentException(String message) {
        super(message);
    }
}
