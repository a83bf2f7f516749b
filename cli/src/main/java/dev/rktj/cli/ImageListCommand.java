package dev.rktj.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.view.ImagesView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rkt image list}: the images view as rkt's table or JSON, with rkt's {@code --fields},
 * {@code --sort} and {@code --order}. Answered by the journal agent, so it reads only the view.
 */
@Command(name = "list", description = "List images in the local store")
final class ImageListCommand extends Sub implements Callable<Integer> {

    /** A column: its name in {@code --fields} and {@code --sort}, its header, and its JSON key. */
    enum Field {
        ID("id", "ID", "id"),
        NAME("name", "NAME", "name"),
        SIZE("size", "SIZE", "size"),
        IMPORTTIME("importtime", "IMPORT TIME", "import_time"),
        LASTUSED("lastused", "LAST USED", "last_used_time"),
        LATEST("latest", "LATEST", "latest"),
        SIGNER("signer", "SIGNER", "signer");

        final String flagName;
        final String header;
        final String jsonKey;

        Field(String flagName, String header, String jsonKey) {
            this.flagName = flagName;
            this.header = header;
            this.jsonKey = jsonKey;
        }

        /** A comma-separated list of field names, as {@code --fields} and {@code --sort} take it. */
        static List<Field> parseList(String flag, String value) {
            List<Field> fields = new ArrayList<>();
            for (String part : value.split(",", -1)) {
                Field f = byName(part.trim().toLowerCase(Locale.ROOT));
                if (f == null) {
                    throw new Errors.UserException("invalid " + flag + " field \"" + part.trim() + "\": valid fields are "
                            + String.join(", ", List.of(values()).stream().map(v -> v.flagName).toList()));
                }
                fields.add(f);
            }
            return fields;
        }

        private static Field byName(String name) {
            for (Field f : values()) {
                if (f.flagName.equals(name)) {
                    return f;
                }
            }
            return null;
        }
    }

    private static final Pattern FINGERPRINT = Pattern.compile("(?i)(?<![0-9a-f])[0-9a-f]{40}(?![0-9a-f])");

    @Mixin
    TableOptions table;

    @Option(names = "--fields", defaultValue = "id,name,size,importtime,lastused",
            description = "comma-separated list of fields to display: id, name, size, importtime, lastused, latest, signer (default: ${DEFAULT-VALUE})")
    String fields;

    @Option(names = "--sort", defaultValue = "importtime",
            description = "sort the output by this comma-separated list of fields (default: ${DEFAULT-VALUE})")
    String sort;

    @Option(names = "--order", defaultValue = "asc", description = "sorting order: asc or desc (default: ${DEFAULT-VALUE})")
    String order;

    @Override
    public Integer call() throws Exception {
        PodJson.checkFormat(table.format);
        List<Field> shown = Field.parseList("--fields", fields);
        List<Field> sortBy = Field.parseList("--sort", sort);
        String direction = order.toLowerCase(Locale.ROOT);
        if (!direction.equals("asc") && !direction.equals("desc")) {
            throw new Errors.UserException("invalid --order \"" + order + "\": must be asc or desc");
        }
        List<Row> rows = new ArrayList<>();
        try (Kernel kernel = kernel()) {
            ImagesView view = kernel.journal().images();
            Set<String> latest = view.latest();
            for (ImagesView.Image i : view.all()) {
                rows.add(new Row(i, name(i), latest.contains(i.id()), fingerprint(i.signer())));
            }
        }
        Comparator<Row> order = comparator(sortBy).thenComparing(r -> r.image().id());
        rows.sort(direction.equals("desc") ? order.reversed() : order);
        if (!table.format.isEmpty()) {
            ArrayNode arr = PodJson.MAPPER.createArrayNode();
            for (Row r : rows) {
                ObjectNode o = arr.addObject();
                for (Field f : shown) {
                    switch (f) {
                        case ID -> o.put(f.jsonKey, r.image().id());
                        case NAME -> o.put(f.jsonKey, r.name());
                        case SIZE -> o.put(f.jsonKey, r.image().totalSize());
                        case IMPORTTIME -> o.put(f.jsonKey, r.image().importedAt() * 1_000_000L);
                        case LASTUSED -> o.put(f.jsonKey, r.image().lastUsedAt() * 1_000_000L);
                        case LATEST -> o.put(f.jsonKey, r.latest());
                        case SIGNER -> o.put(f.jsonKey, r.signer());
                    }
                }
            }
            out().println(PodJson.write(arr, table.format));
            return 0;
        }
        long now = System.currentTimeMillis();
        TabWriter t = new TabWriter();
        if (!table.noLegend) {
            t.row(shown.stream().map(f -> f.header).toArray(String[]::new));
        }
        for (Row r : rows) {
            String[] cells = new String[shown.size()];
            for (int c = 0; c < cells.length; c++) {
                cells[c] = cell(shown.get(c), r, now);
            }
            t.row(cells);
        }
        out().print(t.render());
        return 0;
    }

    /** One image with what is derived from it, computed once rather than in every comparison. */
    record Row(ImagesView.Image image, String name, boolean latest, String signer) {}

    private String cell(Field f, Row r, long now) {
        ImagesView.Image i = r.image();
        return switch (f) {
            case ID -> table.full ? i.id() : i.id().substring(0, Math.min(19, i.id().length()));
            case NAME -> r.name();
            case SIZE -> table.full ? Long.toString(i.totalSize()) : bytes(i.totalSize());
            case IMPORTTIME -> table.full ? Times.full(i.importedAt()) : Times.relative(i.importedAt(), now);
            case LASTUSED -> table.full ? Times.full(i.lastUsedAt()) : Times.relative(i.lastUsedAt(), now);
            case LATEST -> Boolean.toString(r.latest());
            case SIGNER -> r.signer();
        };
    }

    /** Sorts by each field in turn, on the values (sizes as numbers, times as instants), not on their text. */
    static Comparator<Row> comparator(List<Field> sortBy) {
        Comparator<Row> c = (a, b) -> 0;
        for (Field f : sortBy) {
            c = c.thenComparing(switch (f) {
                case ID -> Comparator.comparing((Row r) -> r.image().id());
                case NAME -> Comparator.comparing(Row::name);
                case SIZE -> Comparator.comparingLong((Row r) -> r.image().totalSize());
                case IMPORTTIME -> Comparator.comparingLong((Row r) -> r.image().importedAt());
                case LASTUSED -> Comparator.comparingLong((Row r) -> r.image().lastUsedAt());
                case LATEST -> Comparator.comparing(Row::latest);
                case SIGNER -> Comparator.comparing(Row::signer);
            });
        }
        return c;
    }

    /** {@code name:version}, as rkt shows an image. */
    static String name(ImagesView.Image i) {
        String v = i.labels().get("version");
        return v == null ? i.name() : i.name() + ":" + v;
    }

    /** The signing key's 40-hex fingerprint (lowercase) found in what the store recorded of the signer, or empty. */
    static String fingerprint(String signer) {
        if (signer == null) {
            return "";
        }
        Matcher m = FINGERPRINT.matcher(signer);
        return m.find() ? m.group().toLowerCase(Locale.ROOT) : "";
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
        // go-humanize rounds to tenths first, then prints "%.1f" below 10 and "%.0f" (half to even)
        // above; by hand, because String.format costs more than the rest of a 1,000-row listing
        double rounded = Math.floor(v * 10 + 0.5) / 10;
        long tenths = Math.round(rounded * 10);
        return (rounded < 10 ? tenths / 10 + "." + tenths % 10 : Long.toString((long) Math.rint(rounded))) + " " + units[u];
    }
}
