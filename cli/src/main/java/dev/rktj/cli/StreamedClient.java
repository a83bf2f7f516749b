package dev.rktj.cli;

import dev.rktj.journal.agent.AgentHandler;

/**
 * The client of a command the journal agent runs with its output streamed ({@link ThinFetch}):
 * what the command needs to know of it, and the command's answer that the client should run it
 * itself instead.
 */
final class StreamedClient {

    private final AgentHandler.Client link;
    private final boolean stderrTerminal;
    private final boolean canAsk;
    private volatile boolean declined;

    /**
     * @param stderrTerminal whether the client's stderr is a terminal (progress bars are drawn for it)
     * @param canAsk whether the client's stdin and stdout are a terminal it could ask a question on
     */
    StreamedClient(AgentHandler.Client link, boolean stderrTerminal, boolean canAsk) {
        this.link = link;
        this.stderrTerminal = stderrTerminal;
        this.canAsk = canAsk;
    }

    boolean stderrTerminal() {
        return stderrTerminal;
    }

    boolean canAsk() {
        return canAsk;
    }

    /** True once the client has gone: nobody waits for the command's outcome. */
    boolean gone() {
        return link.gone();
    }

    /** The command cannot be served here, and did nothing: the client runs it itself. */
    void decline() {
        declined = true;
    }

    boolean declined() {
        return declined;
    }
}
