package dev.rktj.kernel.pod;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rktj.kernel.appc.Isolator;
import dev.rktj.kernel.spi.AppIsolators;
import dev.rktj.kernel.spi.SyscallFilter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Owns translating an app's appc isolators (already validated by {@code Appc}) into the SPI's
 * {@link AppIsolators}: quantities become bytes or thousandths of a CPU, capability and system call
 * sets lists of names; the names of the isolators it does not translate are passed on for the
 * stage1 to refuse or report.
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
        Long cpu = null;
        Long shares = null;
        SyscallFilter syscalls = null;
        List<String> others = new ArrayList<>();
        for (Isolator isolator : isolators) {
            JsonNode value = isolator.value();
            switch (isolator.name()) {
                case "resource/memory" -> memory = limit(app, isolator.name(), value, BigDecimal.ONE, "bytes");
                case "resource/cpu" -> cpu = limit(app, isolator.name(), value, BigDecimal.valueOf(1000), "thousandths of a CPU");
                case "os/linux/cpu-shares" -> shares = value.longValue();
                case "os/linux/capabilities-retain-set" -> retain = names(value.get("set"));
                case "os/linux/capabilities-remove-set" -> remove = names(value.get("set"));
                case "os/linux/seccomp-retain-set", "os/linux/seccomp-remove-set" -> syscalls = new SyscallFilter(
                        isolator.name().endsWith("retain-set"), names(value.get("set")),
                        value.hasNonNull("errno") ? value.get("errno").textValue() : null);
                case "os/linux/no-new-privileges" -> noNewPrivileges = value.booleanValue();
                default -> others.add(isolator.name());
            }
        }
        return new AppIsolators(memory, retain, remove, noNewPrivileges, others, cpu, shares, syscalls);
    }

    /**
     * The limit (else the request, which the spec makes the limit's default) times {@code unit},
     * rounded up to a whole number, or null for none.
     */
    private static Long limit(String app, String name, JsonNode value, BigDecimal unit, String units) throws PodException {
        JsonNode q = value.hasNonNull("limit") ? value.get("limit") : value.get("request");
        if (q == null || q.isNull()) {
            return null;
        }
        try {
            BigDecimal amount = (q.isNumber() ? q.decimalValue() : bytes(q.textValue())).multiply(unit);
            return amount.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new PodException("app \"" + app + "\": " + name + " limit " + q + " is not a number of " + units + " rktj can use");
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
