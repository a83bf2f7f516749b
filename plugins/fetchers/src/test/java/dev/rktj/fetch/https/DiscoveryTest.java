package dev.rktj.fetch.https;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rktj.kernel.testing.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** appc discovery against the shared scenarios ({@code shared/appc/discovery}): pages served per level, no network. */
class DiscoveryTest {

    @TestFactory
    Stream<DynamicTest> discover_sharedScenarios_yieldTheExpectedEndpointsAndKeys() throws Exception {
        Path dir = SharedFixtures.appc("discovery");
        JsonNode cases = new ObjectMapper().readTree(dir.resolve("discovery-cases.json").toFile());
        assertEquals(12, cases.size(), "the shared fixture holds 12 scenarios");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) {
            tests.add(DynamicTest.dynamicTest(c.get("id").asText() + ": " + c.get("note").asText(), () -> check(dir, c)));
        }
        return tests.stream();
    }

    private static void check(Path dir, JsonNode c) throws Exception {
        String name = c.get("name").asText();
        String host = name.split("/", 2)[0];
        Map<String, String> pages = new LinkedHashMap<>();
        for (var page : (Iterable<Map.Entry<String, JsonNode>>) c.get("pages")::fields) {
            pages.put(host + page.getKey(), Files.readString(dir.resolve(page.getValue().asText())));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        c.get("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        List<String> asked = new ArrayList<>();

        Discovery.Result result = Discovery.discover(name, labels, level -> {
            asked.add(level);
            return Optional.ofNullable(pages.get(level));
        });

        List<Discovery.Endpoint> endpoints = new ArrayList<>();
        if (!c.get("aciEndpoints").isNull()) {
            c.get("aciEndpoints").forEach(e -> endpoints.add(new Discovery.Endpoint(e.get("aci").asText(), e.get("asc").asText())));
        }
        List<String> keys = new ArrayList<>();
        if (!c.get("publicKeys").isNull()) {
            c.get("publicKeys").forEach(k -> keys.add(k.asText()));
        }
        assertEquals(endpoints, result.endpoints(), "endpoints");
        assertEquals(keys, result.publicKeys(), "public keys");
        assertEquals(asked.size(), Set.copyOf(asked).size(), "each level is asked for once: " + asked);
    }

    @Test
    void levels_nameWithPath_walksUpToTheHost() {
        assertEquals(List.of("a.com/p/s", "a.com/p", "a.com"), Discovery.levels("a.com/p/s"));
    }

    @Test
    void metaTags_attributesInAnyOrderAndQuotedEitherWay_areRead() {
        List<String[]> tags = Discovery.metaTags("<META content='example.com https://h/{name}.{ext}' NAME=\"ac-discovery\">"
                + "<meta name=ac-discovery-pubkeys content=\"example.com https://h/k?a=1&amp;b=2\">");

        assertEquals(2, tags.size());
        assertEquals("ac-discovery", tags.get(0)[0]);
        assertEquals("example.com https://h/{name}.{ext}", tags.get(0)[1]);
        assertEquals("example.com https://h/k?a=1&b=2", tags.get(1)[1]);
    }

    @Test
    void render_anyLabel_fillsItsVariable_andAnUnfilledOneDropsTheTemplate() {
        assertEquals("https://h/a-1-beta.aci",
                Discovery.render("https://h/{name}-{version}-{channel}.{ext}", "a", Map.of("version", "1", "channel", "beta"), "aci"));
        assertEquals(null, Discovery.render("https://h/{name}-{channel}.{ext}", "a", Map.of(), "aci"));
    }

    @Test
    void discover_prefixNotStartingTheName_isIgnored() throws Exception {
        String page = "<meta name=\"ac-discovery\" content=\"other.com https://h/{name}.{ext}\">";

        Discovery.Result r = Discovery.discover("example.com/app", Map.of(), level -> Optional.of(page));

        assertEquals(List.of(), r.endpoints());
    }
}
