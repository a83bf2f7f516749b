package dev.rktj.kernel.event;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rktj.journal.Envelope;
import dev.rktj.journal.NewEvent;
import java.util.Map;

/** Translates kernel events to journal envelopes and back; unknown types read as null. */
public final class EventCodec {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private static final Map<String, Class<? extends KernelEvent>> TYPES = Map.ofEntries(
            Map.entry("ImageFetched", ImageFetched.class),
            Map.entry("ImageRemoved", ImageRemoved.class),
            Map.entry("ImageRendered", ImageRendered.class),
            Map.entry("PodPrepared", PodPrepared.class),
            Map.entry("PodPrepareAborted", PodPrepareAborted.class),
            Map.entry("PodStarted", PodStarted.class),
            Map.entry("AppExited", AppExited.class),
            Map.entry("PodExited", PodExited.class),
            Map.entry("PodStopRequested", PodStopRequested.class),
            Map.entry("PodEntered", PodEntered.class),
            Map.entry("PodGarbageMarked", PodGarbageMarked.class),
            Map.entry("PodGarbageCollected", PodGarbageCollected.class),
            Map.entry("PodRemoved", PodRemoved.class),
            Map.entry("StateReconciled", StateReconciled.class),
            Map.entry("KeyTrusted", KeyTrusted.class),
            Map.entry("KeyRemoved", KeyRemoved.class));

    private EventCodec() {}

    public static NewEvent encode(KernelEvent event) {
        ObjectNode data = MAPPER.valueToTree(event);
        return NewEvent.now(event.getClass().getSimpleName(), KernelEvent.VERSION, data);
    }

    /** The kernel event in an envelope, or null for a type this version does not know. */
    public static KernelEvent decode(Envelope envelope) {
        Class<? extends KernelEvent> type = TYPES.get(envelope.type());
        if (type == null) {
            return null;
        }
        try {
            return MAPPER.treeToValue(envelope.data(), type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("journal event " + envelope.seq() + " (" + envelope.type() + ") is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}
