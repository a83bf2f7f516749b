package dev.rktj.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.view.ImagesView;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rkt image list}: the images view as rkt's table or JSON. */
@Command(name = "list", description = "List images in the local store")
final class ImageListCommand extends Sub implements Callable<Integer> {

    @Mixin
    TableOptions table;

    @Override
    public Integer call() throws Exception {
        PodJson.checkFormat(table.format);
        List<ImagesView.Image> images;
        try (Kernel kernel = kernel()) {
            images = kernel.journal().images().all().stream()
                    .sorted(java.util.Comparator.comparingLong(ImagesView.Image::importedAt)).toList();
        }
        if (!table.format.isEmpty()) {
            ArrayNode arr = PodJson.MAPPER.createArrayNode();
            for (ImagesView.Image i : images) {
                ObjectNode o = arr.addObject();
                o.put("id", i.id());
                o.put("name", name(i));
                o.put("import_time", i.importedAt() * 1_000_000L);
                o.put("last_used_time", i.lastUsedAt() * 1_000_000L);
                o.put("size", i.size());
            }
            out().println(PodJson.write(arr, table.format));
            return 0;
        }
        long now = System.currentTimeMillis();
        TabWriter t = new TabWriter();
        if (!table.noLegend) {
            t.row("ID", "NAME", "SIZE", "IMPORT TIME", "LAST USED");
        }
        for (ImagesView.Image i : images) {
            String id = table.full ? i.id() : i.id().substring(0, Math.min(19, i.id().length()));
            t.row(id, name(i), table.full ? Long.toString(i.size()) : bytes(i.size()),
                    table.full ? Times.full(i.importedAt()) : Times.relative(i.importedAt(), now),
                    table.full ? Times.full(i.lastUsedAt()) : Times.relative(i.lastUsedAt(), now));
        }
        out().print(t.render());
        return 0;
    }

    private static String name(ImagesView.Image i) {
        String v = i.labels().get("version");
        return v == null ? i.name() : i.name() + ":" + v;
    }

    /** go-humanize's IBytes ({@code 1.2 MiB}). */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v < 10 ? String.format(java.util.Locale.ROOT, "%.1f", v) : String.format(java.util.Locale.ROOT, "%.0f", v)) + " " + units[u];
    }
}
