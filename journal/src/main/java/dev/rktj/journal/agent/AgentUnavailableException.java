package dev.rktj.journal.agent;

import java.io.IOException;

/**
 * The request was not processed: it could not be sent whole (the agent had closed the
 * connection), or the agent answered that it is stopping. The connection is closed; the request
 * can be sent again, to a new agent or to the queue directly, without doing it twice.
 */
public final class AgentUnavailableException extends IOException {

    public AgentUnavailableException(String message) {
        super(message);
    }

    public AgentUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
