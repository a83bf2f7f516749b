package dev.rktj.kernel.appc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The isolators the spec defines (ace.md, and the two the reference code adds): the shape of
 * each value, where each may appear (app, pod or both), and which exclude each other. An unknown
 * isolator passes with a valid name only: the spec lets an executor ignore what it does not know.
 */
final class Isolators {

    /** Where an isolator list sits. */
    enum Scope { APP, POD }

    private static final Set<Scope> APP_ONLY = Set.of(Scope.APP);
    private static final Set<Scope> POD_ONLY = Set.of(Scope.POD);
    private static final Set<Scope> BOTH = Set.of(Scope.APP, Scope.POD);

    // Integer or decimal, optionally with an exponent, a milli, SI or binary suffix (ace.md "Resource
    // Isolators"); the spec writes the kilo suffix as K, the reference as k: both are read.
    private static final Pattern QUANTITY = Pattern.compile(
            "\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|m|[kKMGTPE]|[KMGTPE]i)?");
    private static final Pattern CAPABILITY = Pattern.compile("CAP_[A-Z0-9_]+");
    private static final Pattern ERRNO = Pattern.compile("E[A-Z0-9]+");
    private static final String SPEC_WILDCARDS = "@appc.io/";

    private interface ValueRule {
        void check(String name, Field value, JsonNode v) throws AppcException;
    }

    private record Rule(Set<Scope> scopes, ValueRule value) {}

    private static final Map<String, Rule> RULES = Map.ofEntries(
            Map.entry("resource/cpu", new Rule(BOTH, (n, f, v) -> resource(n, f, v, false))),
            Map.entry("resource/memory", new Rule(BOTH, (n, f, v) -> resource(n, f, v, false))),
            Map.entry("resource/block-bandwidth", new Rule(BOTH, (n, f, v) -> resource(n, f, v, true))),
            Map.entry("resource/block-iops", new Rule(BOTH, (n, f, v) -> resource(n, f, v, true))),
            Map.entry("resource/network-bandwidth", new Rule(BOTH, (n, f, v) -> resource(n, f, v, true))),
            Map.entry("os/linux/capabilities-retain-set", new Rule(APP_ONLY, Isolators::capabilities)),
            Map.entry("os/linux/capabilities-remove-set", new Rule(APP_ONLY, Isolators::capabilities)),
            Map.entry("os/linux/seccomp-retain-set", new Rule(APP_ONLY, (n, f, v) -> seccomp(n, f, v, "@appc.io/all"))),
            Map.entry("os/linux/seccomp-remove-set", new Rule(APP_ONLY, (n, f, v) -> seccomp(n, f, v, "@appc.io/empty"))),
            Map.entry("os/linux/no-new-privileges", new Rule(APP_ONLY, Isolators::bool)),
            Map.entry("os/linux/selinux-context", new Rule(BOTH, Isolators::selinux)),
            Map.entry("os/linux/apparmor-profile", new Rule(BOTH, Isolators::apparmor)),
            Map.entry("os/linux/oom-score-adj", new Rule(APP_ONLY, (n, f, v) -> integer(f, v, -1000, 1000))),
            Map.entry("os/linux/cpu-shares", new Rule(APP_ONLY, (n, f, v) -> integer(f, v, 2, 262144))),
            Map.entry("os/unix/sysctl", new Rule(POD_ONLY, Isolators::sysctl)));

    /** Pairs the spec forbids in one list. */
    private static final Map<String, String> EXCLUSIVE = Map.of(
            "os/linux/capabilities-retain-set", "os/linux/capabilities-remove-set",
            "os/linux/capabilities-remove-set", "os/linux/capabilities-retain-set",
            "os/linux/seccomp-retain-set", "os/linux/seccomp-remove-set",
            "os/linux/seccomp-remove-set", "os/linux/seccomp-retain-set");

    private Isolators() {}

    static void check(Field list, List<Isolator> isolators, Scope scope) throws AppcException {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < isolators.size(); i++) {
            Field at = list.at(i);
            Isolator isolator = isolators.get(i);
            if (isolator == null) {
                throw at.fail("must be an object");
            }
            String name = isolator.name();
            Appc.checkIdentifier(at.at("name"), name);
            Rule rule = RULES.get(name);
            if (rule == null) {
                continue;
            }
            if (!rule.scopes().contains(scope)) {
                throw at.at("name").fail(Appc.quote(name) + " applies to " + (scope == Scope.APP ? "pods" : "apps") + " only");
            }
            Integer earlier = seen.putIfAbsent(name, i);
            if (earlier != null) {
                throw at.at("name").fail("duplicate isolator " + Appc.quote(name) + " (also at [" + earlier + "])");
            }
            String other = EXCLUSIVE.get(name);
            if (other != null && seen.containsKey(other)) {
                throw at.at("name").fail(Appc.quote(name) + " cannot be used together with " + Appc.quote(other)
                        + " (at [" + seen.get(other) + "])");
            }
            rule.value().check(name, at.at("value"), isolator.value());
        }
    }

    private static void resource(String name, Field f, JsonNode v, boolean perDevice) throws AppcException {
        JsonNode value = object(f, v);
        JsonNode def = value.get("default");
        if (perDevice) {
            if (def == null || !def.isBoolean() || !def.booleanValue()) {
                throw f.at("default").fail("must be true for " + name);
            }
            if (value.hasNonNull("request")) {
                throw f.at("request").fail(name + " takes no request, only a limit");
            }
            if (!value.hasNonNull("limit")) {
                throw f.at("limit").fail("required");
            }
        } else if (def != null && !def.isNull() && !(def.isBoolean() && !def.booleanValue())) {
            throw f.at("default").fail("must be false for " + name);
        }
        for (String field : List.of("request", "limit")) {
            JsonNode q = value.get(field);
            if (q != null && !q.isNull() && !isQuantity(q)) {
                throw f.at(field).fail(q + " is not a quantity (like 500m, 0.5, 128974848, 123Mi or 2G)");
            }
        }
    }

    static boolean isQuantity(JsonNode q) {
        if (q.isNumber()) {
            return q.asDouble() >= 0;
        }
        return q.isTextual() && QUANTITY.matcher(q.textValue()).matches();
    }

    private static void capabilities(String name, Field f, JsonNode v) throws AppcException {
        JsonNode set = nonEmptyArray(f.at("set"), object(f, v).get("set"));
        for (int i = 0; i < set.size(); i++) {
            JsonNode cap = set.get(i);
            if (!cap.isTextual() || !CAPABILITY.matcher(cap.textValue()).matches()) {
                throw f.at("set").at(i).fail(cap + " is not a capability name (CAP_ and capital letters, as CAP_NET_BIND_SERVICE)");
            }
        }
    }

    private static void seccomp(String name, Field f, JsonNode v, String specWildcard) throws AppcException {
        JsonNode value = object(f, v);
        JsonNode set = nonEmptyArray(f.at("set"), value.get("set"));
        for (int i = 0; i < set.size(); i++) {
            JsonNode call = set.get(i);
            if (!call.isTextual() || call.textValue().isEmpty()) {
                throw f.at("set").at(i).fail("must be a syscall name or a wildcard");
            }
            // The @appc.io/ scope is the spec's own: it defines one wildcard per set and no others.
            if (call.textValue().startsWith(SPEC_WILDCARDS) && !call.textValue().equals(specWildcard)) {
                throw f.at("set").at(i).fail(call + " is not a wildcard of " + name + " (the spec defines only \"" + specWildcard + "\")");
            }
        }
        JsonNode errno = value.get("errno");
        if (errno != null && !errno.isNull()
                && !(errno.isTextual() && (errno.textValue().isEmpty() || ERRNO.matcher(errno.textValue()).matches()))) {
            throw f.at("errno").fail(errno + " is not an errno name (as ENOTSUP), nor empty");
        }
    }

    private static void bool(String name, Field f, JsonNode v) throws AppcException {
        if (v == null || !v.isBoolean()) {
            throw f.fail("must be true or false");
        }
    }

    private static void selinux(String name, Field f, JsonNode v) throws AppcException {
        JsonNode value = object(f, v);
        for (String part : List.of("user", "role", "type", "level")) {
            JsonNode s = value.get(part);
            if (s == null || !s.isTextual() || s.textValue().isEmpty()) {
                throw f.at(part).fail("required (a non-empty string)");
            }
            if (!part.equals("level") && s.textValue().contains(":")) {
                throw f.at(part).fail(s + " must not contain \":\"");
            }
        }
    }

    private static void apparmor(String name, Field f, JsonNode v) throws AppcException {
        JsonNode profile = object(f, v).get("profile");
        if (profile == null || !profile.isTextual() || profile.textValue().isEmpty()) {
            throw f.at("profile").fail("required (a non-empty string)");
        }
    }

    private static void integer(Field f, JsonNode v, int min, int max) throws AppcException {
        if (v == null || !v.isIntegralNumber()) {
            throw f.fail("must be an integer from " + min + " to " + max);
        }
        if (!v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            throw f.fail(v + " is out of range " + min + " to " + max);
        }
    }

    private static void sysctl(String name, Field f, JsonNode v) throws AppcException {
        JsonNode value = object(f, v);
        var fields = value.fields();
        while (fields.hasNext()) {
            var e = fields.next();
            if (e.getKey().isEmpty()) {
                throw f.fail("a sysctl key is empty");
            }
            if (!e.getValue().isTextual()) {
                throw f.at(e.getKey()).fail("must be a string");
            }
        }
    }

    private static JsonNode object(Field f, JsonNode v) throws AppcException {
        if (v == null || !v.isObject()) {
            throw f.fail("must be an object");
        }
        return v;
    }

    private static JsonNode nonEmptyArray(Field f, JsonNode v) throws AppcException {
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw f.fail("must be a non-empty array");
        }
        return v;
    }
}
