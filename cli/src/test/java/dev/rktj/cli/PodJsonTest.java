package dev.rktj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PodJsonTest {

    @Test
    void jsonPretty_goMarshalIndentWithATab() throws Exception {
        var node = PodJson.MAPPER.readTree("{\"a\":1,\"b\":[],\"c\":{},\"d\":[{\"e\":\"f\"}]}");
        assertEquals("{\n\t\"a\": 1,\n\t\"b\": [],\n\t\"c\": {},\n\t\"d\": [\n\t\t{\n\t\t\t\"e\": \"f\"\n\t\t}\n\t]\n}",
                PodJson.write(node, "json-pretty"));
        assertEquals("[]", PodJson.write(PodJson.MAPPER.createArrayNode(), "json-pretty"));
        assertEquals("{\"a\":1,\"b\":[],\"c\":{},\"d\":[{\"e\":\"f\"}]}", PodJson.write(node, "json"));
    }
}
