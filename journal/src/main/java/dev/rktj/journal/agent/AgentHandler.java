package dev.rktj.journal.agent;

import java.util.List;

/**
 * Runs one read-only command inside the agent and returns what it would have printed. Called from
 * several connection threads at once, so implementations must be thread safe.
 */
public interface AgentHandler {

    ExecResult exec(List<String> args);
}
