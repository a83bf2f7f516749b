package dev.rktj.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rktj.journal.Envelope;
import dev.rktj.kernel.Kernel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rkt history [UUID]}: the journal itself, every event or one pod's, oldest first. */
@Command(name = "history", description = "Show the journal: every recorded event, or one pod's")
final class HistoryCommand extends Sub implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "UUID")
    String uuid;

    @Option(names = "--format", defaultValue = "", description = "choose the output format: json, json-pretty")
    String format;

    @Option(names = "--no-legend", description = "suppress a legend with the list")
    boolean noLegend;

    @Override
    public Integer call() throws Exception {
        PodJson.checkFormat(format);
        List<Envelope> events = new ArrayList<>();
        try (Kernel kernel = kernel()) {
            kernel.pods().reconcile();
            kernel.journal().readAll(events::add);
        }
        if (uuid != null) {
            String prefix = uuid.toLowerCase(java.util.Locale.ROOT);
            TreeSet<String> pods = new TreeSet<>();
            for (Envelope e : events) {
                String pod = pod(e);
                if (pod != null && pod.startsWith(prefix)) {
                    pods.add(pod);
                }
            }
            String match = Uuids.resolve(new ArrayList<>(pods), uuid);
            events.removeIf(e -> !match.equals(pod(e)));
        }
        if (!format.isEmpty()) {
            ArrayNode arr = PodJson.MAPPER.createArrayNode();
            for (Envelope e : events) {
                ObjectNode o = arr.addObject();
                o.put("seq", e.seq());
                o.put("at", e.at());
                o.put("type", e.type());
                o.put("v", e.v());
                ObjectNode w = o.putObject("writer");
                w.put("pid", e.writer().pid());
                w.put("host", e.writer().host());
                o.set("data", e.data());
            }
            out().println(PodJson.write(arr, format));
            return 0;
        }
        TabWriter t = new TabWriter();
        if (!noLegend) {
            t.row("SEQ", "TIME", "EVENT", "SUBJECT", "DETAILS");
        }
        for (Envelope e : events) {
            String subject = pod(e) != null ? pod(e) : e.data().path("imageId").asText(e.data().path("fingerprint").asText(""));
            t.row(Long.toString(e.seq()), Times.full(e.at()), e.type(), subject, details(e));
        }
        out().print(t.render());
        return 0;
    }

    private static String pod(Envelope e) {
        return e.data().hasNonNull("pod") ? e.data().get("pod").asText() : null;
    }

    /** The event's other fields as {@code key=value}, scalars only; apps as their names. */
    private static String details(Envelope e) {
        StringBuilder b = new StringBuilder();
        Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = e.data().fields();
        while (it.hasNext()) {
            Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> f = it.next();
            if (f.getKey().equals("pod") || f.getKey().equals("imageId") || f.getKey().equals("fingerprint") || f.getValue().isNull()) {
                continue;
            }
            String v;
            if (f.getValue().isArray()) {
                List<String> parts = new ArrayList<>();
                f.getValue().forEach(x -> parts.add(x.has("name") ? x.get("name").asText() : x.isTextual() ? x.asText() : x.toString()));
                v = String.join(",", parts);
            } else if (f.getValue().isObject()) {
                v = f.getValue().toString();
            } else {
                v = f.getValue().asText();
            }
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(f.getKey()).append('=').append(v.contains(" ") ? '"' + v + '"' : v);
        }
        b.append(" by=").append(e.writer().pid()).append('@').append(e.writer().host());
        return b.toString().trim();
    }
}
