package dev.rktj.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Owns the JSON form of events: the stored/wire form of a new event
 * ({@code {"at","type","v","writer","data"}}, no seq) and the envelope form (the same with
 * {@code seq} first). Both the queue and the agent protocol use it, so they cannot drift apart.
 */
public final class EnvelopeJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EnvelopeJson() {}

    /** The shared mapper; thread safe once configured, and it is never reconfigured. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The stored form: what one queue document and one APPEND argument hold. */
    public static String toJson(NewEvent event) {
        ObjectNode node = MAPPER.createObjectNode();
        fill(node, event.at(), event.type(), event.v(), event.writer(), event.data());
        return write(node);
    }

    /** The envelope form, seq included: what READ answers. */
    public static String toJson(Envelope envelope) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("seq", envelope.seq());
        fill(node, envelope.at(), envelope.type(), envelope.v(), envelope.writer(), envelope.data());
        return write(node);
    }

    /** Parses the stored form. */
    public static NewEvent newEvent(String json) throws JournalException {
        ObjectNode node = parse(json);
        return new NewEvent(type(node), version(node), at(node), writer(node), data(node));
    }

    /** Parses the stored form, giving it the seq it was stored at. */
    public static Envelope envelope(long seq, String json) throws JournalException {
        ObjectNode node = parse(json);
        return new Envelope(seq, at(node), type(node), version(node), writer(node), data(node));
    }

    /** Parses the envelope form (seq inside). */
    public static Envelope envelope(String json) throws JournalException {
        ObjectNode node = parse(json);
        JsonNode seq = node.get("seq");
        if (seq == null || !seq.canConvertToLong() || seq.asLong() <= 0) {
            throw new JournalException("event has no valid seq");
        }
        return new Envelope(seq.asLong(), at(node), type(node), version(node), writer(node), data(node));
    }

    /** Rejects what could not be read back, before it reaches the append-only log. */
    public static void check(NewEvent event) throws JournalException {
        if (event == null) {
            throw new JournalException("event is null");
        }
        if (event.type() == null || event.type().isBlank()) {
            throw new JournalException("event has no type");
        }
        if (event.writer() == null || event.writer().host() == null) {
            throw new JournalException("event " + event.type() + " has no writer");
        }
    }

    private static void fill(ObjectNode node, long at, String type, int v, Writer writer, ObjectNode data) {
        node.put("at", at);
        node.put("type", type);
        node.put("v", v);
        ObjectNode w = node.putObject("writer");
        w.put("pid", writer.pid());
        w.put("host", writer.host());
        node.set("data", data == null ? MAPPER.createObjectNode() : data);
    }

    private static String write(ObjectNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            // a tree of plain nodes always serialises; reaching here is a bug, not an input error
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode parse(String json) throws JournalException {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new JournalException("event is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (!(node instanceof ObjectNode)) {
            throw new JournalException("event is not a JSON object");
        }
        return (ObjectNode) node;
    }

    private static String type(ObjectNode node) throws JournalException {
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual() || type.asText().isBlank()) {
            throw new JournalException("event has no type");
        }
        return type.asText();
    }

    private static int version(ObjectNode node) throws JournalException {
        JsonNode v = node.get("v");
        if (v == null || !v.canConvertToInt()) {
            throw new JournalException("event " + node.path("type").asText() + " has no valid v");
        }
        return v.asInt();
    }

    private static long at(ObjectNode node) throws JournalException {
        JsonNode at = node.get("at");
        if (at == null || !at.canConvertToLong()) {
            throw new JournalException("event " + node.path("type").asText() + " has no valid at");
        }
        return at.asLong();
    }

    private static Writer writer(ObjectNode node) throws JournalException {
        JsonNode w = node.get("writer");
        if (w == null || !w.isObject() || !w.path("pid").canConvertToLong() || !w.path("host").isTextual()) {
            throw new JournalException("event " + node.path("type").asText() + " has no valid writer");
        }
        return new Writer(w.get("pid").asLong(), w.get("host").asText());
    }

    private static ObjectNode data(ObjectNode node) throws JournalException {
        JsonNode data = node.get("data");
        if (data == null || data.isNull()) {
            return MAPPER.createObjectNode();
        }
        if (!data.isObject()) {
            throw new JournalException("event " + node.path("type").asText() + " has data that is not an object");
        }
        return (ObjectNode) data;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
