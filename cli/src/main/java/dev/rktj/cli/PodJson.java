package dev.rktj.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.rktj.kernel.pod.PodState;
import dev.rktj.kernel.view.PodRecord;

/** rkt's JSON for pods ({@code list --format=json}, {@code status --format=json}): pod times in seconds, app times in nanoseconds. */
final class PodJson {

    static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private PodJson() {}

    static ObjectNode pod(PodRecord p) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("name", p.uuid());
        o.put("state", p.state().text());
        if (!p.apps().isEmpty()) {
            ArrayNode names = o.putArray("app_names");
            p.apps().forEach(a -> names.add(a.name()));
            ArrayNode apps = o.putArray("apps");
            for (PodRecord.App a : p.apps()) {
                ObjectNode j = apps.addObject();
                j.put("name", a.name());
                j.put("state", appState(p, a));
                if (p.createdAt() > 0) {
                    j.put("created_at", p.createdAt() * 1_000_000L);
                }
                if (p.startedAt() > 0) {
                    j.put("started_at", p.startedAt() * 1_000_000L);
                }
                if (p.finishedAt() > 0) {
                    j.put("finished_at", p.finishedAt() * 1_000_000L);
                }
                if (a.exitCode() != null) {
                    j.put("exit_code", a.exitCode());
                }
                j.put("image_id", a.imageId());
            }
        }
        if (p.createdAt() > 0) {
            o.put("created_at", p.createdAt() / 1000);
        }
        if (p.startedAt() > 0) {
            o.put("started_at", p.startedAt() / 1000);
        }
        return o;
    }

    private static String appState(PodRecord p, PodRecord.App a) {
        if (a.exitCode() != null || p.state().isFinished() || p.state() == PodState.EXITED) {
            return "exited";
        }
        return p.state() == PodState.RUNNING ? "running" : p.state() == PodState.PREPARED ? "created" : "unknown";
    }

    /**
     * {@code json} is one line; {@code json-pretty} is Go's {@code MarshalIndent(v, "", "\t")}, as rkt
     * prints it: a tab per level, {@code "key": value}, and {@code []} and {@code {}} when empty.
     */
    static String write(Object node, String format) throws com.fasterxml.jackson.core.JsonProcessingException {
        if (format.equals("json-pretty")) {
            return MAPPER.writer(GO_INDENT).writeValueAsString(node);
        }
        return MAPPER.writeValueAsString(node);
    }

    private static final DefaultPrettyPrinter GO_INDENT = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("\t", "\n"))
            .withArrayIndenter(new DefaultIndenter("\t", "\n"));

    static void checkFormat(String format) {
        if (!format.equals("json") && !format.equals("json-pretty") && !format.equals("")) {
            throw new Errors.UserException("invalid format \"" + format + "\" (must be json or json-pretty)");
        }
    }
}
