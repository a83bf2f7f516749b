package dev.rktj.kernel.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * rkt's {@code auth.d}: credentials per domain from {@code *.json} files directly in
 * {@code <system-config>/auth.d} and {@code <local-config>/auth.d}; a domain configured locally
 * replaces the system's, and one domain twice in one directory is an error, as in rkt. Only
 * {@code basic} (user, password) and {@code oauth} (token) exist here.
 *
 * <p>Credentials go only to the exact host they are configured for, never over plain http
 * unless the user allowed http, and are never part of a message.
 */
public final class AuthConfig {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One domain's credentials.
     *
     * @param type {@code basic} or {@code oauth}
     * @param credentials {@code user}/{@code password}, or {@code token}
     * @param file the file that configured it
     */
    public record Entry(String domain, String type, Map<String, String> credentials, Path file) {
        String header() {
            if (type.equals("basic")) {
                String pair = credentials.get("user") + ":" + credentials.get("password");
                return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
            }
            return "Bearer " + credentials.get("token");
        }
    }

    private final Map<String, Entry> byDomain;

    private AuthConfig(Map<String, Entry> byDomain) {
        this.byDomain = byDomain;
    }

    /** Reads both directories; a file that is not a valid auth config is refused, naming it. */
    public static AuthConfig read(Path systemConfig, Path localConfig) throws IOException {
        Map<String, Entry> merged = new TreeMap<>(readDir(systemConfig.resolve("auth.d")));
        merged.putAll(readDir(localConfig.resolve("auth.d")));
        return new AuthConfig(Collections.unmodifiableMap(merged));
    }

    /** The merged entries by domain, in domain order. */
    public Map<String, Entry> entries() {
        return byDomain;
    }

    /** The {@code Authorization} header for {@code url}, or null. */
    public String authorization(String url, boolean allowHttp) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && allowHttp)) {
            return null;
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        Entry e = byDomain.get(host);
        if (e == null && uri.getPort() > 0) {
            e = byDomain.get(host + ":" + uri.getPort());
        }
        return e == null ? null : e.header();
    }

    private static Map<String, Entry> readDir(Path dir) throws IOException {
        Map<String, Entry> found = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.json")) {
            s.forEach(files::add);
        } catch (NoSuchFileException e) {
            return found;
        }
        Collections.sort(files);
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                continue;
            }
            JsonNode root;
            try {
                root = JSON.readTree(Files.readAllBytes(file));
            } catch (IOException e) {
                throw new IOException("auth config " + file + " is not valid JSON", e);
            }
            if (root == null || !"auth".equals(root.path("rktKind").asText())) {
                continue; // other kinds may share the directory in rkt's layout; they are not credentials
            }
            if (!"v1".equals(root.path("rktVersion").asText())) {
                throw new IOException("auth config " + file + ": unsupported rktVersion \"" + root.path("rktVersion").asText() + "\"");
            }
            String type = root.path("type").asText();
            JsonNode c = root.path("credentials");
            Map<String, String> credentials = new LinkedHashMap<>();
            switch (type) {
                case "basic" -> {
                    credentials.put("user", required(c, "user", file));
                    credentials.put("password", required(c, "password", file));
                }
                case "oauth" -> credentials.put("token", required(c, "token", file));
                default -> throw new IOException("auth config " + file + ": type \"" + type
                        + "\" is not supported (rktj knows basic and oauth)");
            }
            JsonNode domains = root.path("domains");
            if (!domains.isArray() || domains.isEmpty()) {
                throw new IOException("auth config " + file + ": no domains");
            }
            for (JsonNode d : domains) {
                String domain = d.asText().toLowerCase(Locale.ROOT);
                if (found.containsKey(domain)) {
                    throw new IOException("auth config " + file + ": domain \"" + domain + "\" is already configured in "
                            + found.get(domain).file());
                }
                found.put(domain, new Entry(domain, type, Map.copyOf(credentials), file));
            }
        }
        return found;
    }

    private static String required(JsonNode credentials, String field, Path file) throws IOException {
        JsonNode v = credentials.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new IOException("auth config " + file + ": credentials." + field + " is missing");
        }
        return v.asText();
    }
}
