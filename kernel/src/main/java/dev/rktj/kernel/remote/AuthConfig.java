package dev.rktj.kernel.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
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
 * {@code <system-config>/auth.d}, {@code <local-config>/auth.d} and, when given,
 * {@code <user-config>/auth.d}; a domain configured in a later directory replaces the earlier's,
 * and one domain twice in one directory is an error, as in rkt. Only {@code basic} (user,
 * password) and {@code oauth} (token) exist here; files of another {@code rktKind} (rkt's
 * {@code dockerAuth}) are passed over and listed in {@link #skipped()}.
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

    /** A file in {@code auth.d} of a kind rktj does not read, such as rkt's {@code dockerAuth}. */
    public record Skipped(Path file, String kind) {}

    private final Map<String, Entry> byDomain;
    private final List<Skipped> skipped;

    private AuthConfig(Map<String, Entry> byDomain, List<Skipped> skipped) {
        this.byDomain = byDomain;
        this.skipped = skipped;
    }

    /**
     * Reads the {@code auth.d} of each configuration directory; a file that is not a valid auth
     * config is refused, naming it.
     *
     * @param configDirs system, local, then user configuration: a later one overrides per domain
     */
    public static AuthConfig read(List<Path> configDirs) throws IOException {
        Map<String, Entry> merged = new TreeMap<>();
        List<Skipped> skipped = new ArrayList<>();
        for (Path dir : configDirs) {
            merged.putAll(readDir(dir.resolve("auth.d"), skipped));
        }
        return new AuthConfig(Collections.unmodifiableMap(merged), List.copyOf(skipped));
    }

    /** The merged entries by domain, in domain order. */
    public Map<String, Entry> entries() {
        return byDomain;
    }

    /** The files passed over because their kind is not {@code auth}, in reading order. */
    public List<Skipped> skipped() {
        return skipped;
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

    private static Map<String, Entry> readDir(Path dir, List<Skipped> skipped) throws IOException {
        Map<String, Entry> found = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.json")) {
            s.forEach(files::add);
        } catch (NoSuchFileException e) {
            return found;
        } catch (NotDirectoryException e) {
            throw new IOException("expected " + dir + " to be a directory", e);
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
                // rkt's dockerAuth shares the directory; it holds no credentials for these fetchers
                skipped.add(new Skipped(file, root == null ? "" : root.path("rktKind").asText()));
                continue;
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
                found.put(domain, new Entry(domain, type, Collections.unmodifiableMap(credentials), file));
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
