package dev.rktj.kernel.pod;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rktj.kernel.appc.Isolator;
import dev.rktj.kernel.spi.AppIsolators;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Owns translating an app's appc isolators (already validated by {@code Appc}) into the SPI's
 * {@link AppIsolators}: quantities become bytes, capability sets lists of names; the names of the
 * isolators it does not translate are passed on for the stage1 to refuse or report.
 */
final class AppIsolatorsOf {

    private static final Pattern QUANTITY = Pattern.compile(
            "\\+?([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|m|[kKMGTPE]|[KMGTPE]i)?");

    private AppIsolatorsOf() {}

    static AppIsolators translate(String app, List<Isolator> isolators) throws PodException {
        if (isolators == null || isolators.isEmpty()) {
            return AppIsolators.NONE;
        }
        Long memory = null;
        List<String> retain = null;
        List<String> remove = null;
        boolean noNewPrivileges = false;
        List<String> others = new ArrayList<>();
        for (Isolator isolator : isolators) {
            JsonNode value = isolator.value();
            switch (isolator.name()) {
                case "resource/memory" -> memory = memoryLimit(app, value);
                case "os/linux/capabilities-retain-set" -> retain = names(value.get("set"));
                case "os/linux/capabilities-remove-set" -> remove = names(value.get("set"));
                case "os/linux/no-new-privileges" -> noNewPrivileges = value.booleanValue();
                default -> others.add(isolator.name());
            }
        }
        return new AppIsolators(memory, retain, remove, noNewPrivileges, others);
    }

    /** The limit (else the request, which the spec makes the limit's default) in bytes, or null for none. */
    private static Long memoryLimit(String app, JsonNode value) throws PodException {
        JsonNode q = value.hasNonNull("limit") ? value.get("limit") : value.get("request");
        if (q == null || q.isNull()) {
            return null;
        }
        try {
            BigDecimal bytes = q.isNumber() ? q.decimalValue() : bytes(q.textValue());
            return bytes.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new PodException("app \"" + app + "\": resource/memory limit " + q + " is not a number of bytes rktj can use");
        }
    }

    /** A Kubernetes-style quantity, as appc writes them: {@code 512M}, {@code 1Gi}, {@code 1e9}. */
    static BigDecimal bytes(String quantity) {
        Matcher m = QUANTITY.matcher(quantity);
        if (!m.matches()) {
            throw new IllegalArgumentException(quantity);
        }
        BigDecimal number = new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1));
        String suffix = m.group(2) == null ? "" : m.group(2);
        if (suffix.startsWith("e") || suffix.startsWith("E")) {
            return number.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1).replace("+", "")));
        }
        return switch (suffix) {
            case "" -> number;
            case "m" -> number.movePointLeft(3);
            case "k", "K" -> number.scaleByPowerOfTen(3);
            case "M" -> number.scaleByPowerOfTen(6);
            case "G" -> number.scaleByPowerOfTen(9);
            case "T" -> number.scaleByPowerOfTen(12);
            case "P" -> number.scaleByPowerOfTen(15);
            case "E" -> number.scaleByPowerOfTen(18);
            default -> number.multiply(BigDecimal.valueOf(2).pow(10 * (" KMGTPE".indexOf(suffix.charAt(0)))));
        };
    }

    private static List<String> names(JsonNode set) {
        List<String> names = new ArrayList<>();
        set.forEach(n -> names.add(n.textValue()));
        return names;
    }
}
