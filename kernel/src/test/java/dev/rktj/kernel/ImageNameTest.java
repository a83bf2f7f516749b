package dev.rktj.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rktj.kernel.appc.Appc;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageNameTest {

    @Test
    void parse_nameVersionAndLabels_inOrder() throws Exception {
        ImageName n = ImageName.parse("example.com/app:1.2,env=prod,arch=arm64");
        assertEquals("example.com/app", n.name());
        assertEquals(Map.of("version", "1.2", "env", "prod", "arch", "arm64"), n.labels());
        assertEquals(List.of("version", "env", "arch"), List.copyOf(n.labels().keySet()));
        assertEquals(Map.of(), ImageName.parse("example.com/app").labels());
    }

    @Test
    void parse_userMistakes_oneLineMessages() {
        assertEquals("invalid image name \"example.com/app,env\": label \"env\" is not name=value",
                assertThrows(KernelException.class, () -> ImageName.parse("example.com/app,env")).getMessage());
        assertEquals("invalid image name \"example.com/app,\": label \"\" is not name=value",
                assertThrows(KernelException.class, () -> ImageName.parse("example.com/app,")).getMessage());
        assertEquals("invalid image name \"example.com/app:1,version=2\": label \"version\" is given twice",
                assertThrows(KernelException.class, () -> ImageName.parse("example.com/app:1,version=2")).getMessage());
        assertEquals("invalid image name \":1\"", assertThrows(KernelException.class, () -> ImageName.parse(":1")).getMessage());
        assertEquals("invalid image name \"Example.com/App\": \"Example.com/App\" is not an AC Identifier"
                        + " (lowercase letters, digits and -._~/ between them)",
                assertThrows(KernelException.class, () -> ImageName.parse("Example.com/App")).getMessage());
    }

    @Test
    void describe_includesTheHostPlatformWhereNoneWasGiven() throws Exception {
        assertEquals("name: \"example.com/app\" and labels: [\"version\":\"1\", \"os\":\"" + Appc.HOST_OS + "\", \"arch\":\""
                + Appc.HOST_ARCH + "\", \"env\":\"prod\"]", ImageName.parse("example.com/app:1,env=prod").describe());
        assertEquals("name: \"a\" and labels: [\"os\":\"freebsd\", \"arch\":\"arm\"]", ImageName.parse("a,arch=arm,os=freebsd").describe());
    }
}
