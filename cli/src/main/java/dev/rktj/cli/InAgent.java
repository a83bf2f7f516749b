package dev.rktj.cli;

import dev.rktj.kernel.JournalSession;
import dev.rktj.kernel.Resident;
import dev.rktj.kernel.pod.PodService.Launched;
import java.util.function.Consumer;

/**
 * What a command running inside the journal agent shares with the agent.
 *
 * @param journal the agent's journal session, with its folded views
 * @param resident the agent's plugin hosts and Vert.x
 * @param launches for a thin client's {@code rkt run}: takes the prepared pod instead of running
 *     it ({@link ThinRun}); null for every other request
 * @param client for a command whose output streams to its client ({@link ThinCommand}): that
 *     client; null for every other request
 */
record InAgent(JournalSession journal, Resident resident, Consumer<Launched> launches, StreamedClient client) {}
