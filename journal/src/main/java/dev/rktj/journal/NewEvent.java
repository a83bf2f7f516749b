package dev.rktj.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An event not yet in the journal.
 *
 * @param type stable short type name, past tense ({@code PodPrepared})
 * @param v schema version of {@code data}
 * @param at when it happened, UTC epoch milliseconds
 * @param writer who appends it
 * @param data the event's fields
 */
public record NewEvent(String type, int v, long at, Writer writer, ObjectNode data) {

    public static NewEvent now(String type, int v, ObjectNode data) {
        return new NewEvent(type, v, System.currentTimeMillis(), Writer.self(), data);
    }
}
