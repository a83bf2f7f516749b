package dev.rktj.journal.agent;

import java.util.List;

/**
 * Owns the commands the agent runs for thin clients: one read-only command, in-process, returning
 * what it would have printed. Called from several connection threads at once, so implementations
 * must be thread safe.
 */
public interface AgentHandler {

    ExecResult exec(List<String> args);
}
