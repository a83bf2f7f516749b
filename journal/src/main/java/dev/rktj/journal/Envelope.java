package dev.rktj.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One event as stored: {@code {seq, at, type, v, writer{pid,host}, data}}.
 *
 * @param seq position in the journal; strictly increasing, unique, stable
 * @param at UTC epoch milliseconds
 * @param type stable short type name
 * @param v schema version of {@code data}
 * @param writer the appending process
 * @param data the event's fields
 */
public record Envelope(long seq, long at, String type, int v, Writer writer, ObjectNode data) {}
