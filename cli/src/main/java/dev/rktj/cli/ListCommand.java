package dev.rktj.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.view.PodRecord;
import dev.rktj.kernel.view.PodsView;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rkt list}: the pods view as rkt's table or JSON. */
@Command(name = "list", description = "List pods")
final class ListCommand extends Sub implements Callable<Integer> {

    @Mixin
    TableOptions table;

    @Override
    public Integer call() throws Exception {
        PodJson.checkFormat(table.format);
        PodsView view;
        try (Kernel kernel = kernel()) {
            view = kernel.pods().reconcile();
        }
        if (!table.format.isEmpty()) {
            ArrayNode arr = PodJson.MAPPER.createArrayNode();
            view.all().forEach(p -> arr.add(PodJson.pod(p)));
            out().println(PodJson.write(arr, table.format));
            return 0;
        }
        long now = System.currentTimeMillis();
        TabWriter t = new TabWriter();
        if (!table.noLegend) {
            if (table.full) {
                t.row("UUID", "APP", "IMAGE NAME", "IMAGE ID", "STATE", "CREATED", "STARTED", "NETWORKS");
            } else {
                t.row("UUID", "APP", "IMAGE NAME", "STATE", "CREATED", "STARTED", "NETWORKS");
            }
        }
        for (PodRecord p : view.all()) {
            String uuid = table.full ? p.uuid() : p.uuid().substring(0, 8);
            String created = table.full ? Times.full(p.createdAt()) : Times.relative(p.createdAt(), now);
            String started = p.startedAt() == 0 ? "" : table.full ? Times.full(p.startedAt()) : Times.relative(p.startedAt(), now);
            if (p.apps().isEmpty()) {
                row(t, uuid, "-", "-", "-", p.state().text(), created, started);
                continue;
            }
            boolean first = true;
            for (PodRecord.App a : p.apps()) {
                String id = a.imageId().length() > 19 ? a.imageId().substring(0, 19) : a.imageId();
                if (first) {
                    row(t, uuid, a.name(), a.imageName(), id, p.state().text(), created, started);
                } else {
                    row(t, "", a.name(), a.imageName(), id, "", "", "");
                }
                first = false;
            }
        }
        out().print(t.render());
        return 0;
    }

    private void row(TabWriter t, String uuid, String app, String image, String id, String state, String created, String started) {
        if (table.full) {
            t.row(uuid, app, image, id, state, created, started, "");
        } else {
            t.row(uuid, app, image, state, created, started, "");
        }
    }
}
