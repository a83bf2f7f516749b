package dev.rktj.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Rules on imports that the compiler cannot enforce. */
class JournalSourcesTest {

    static final Path MAIN = Path.of("src/main/java/dev/rktj/journal");

    /** The thin client's classes: a command that only pings or execs loads these and the JDK. */
    static final List<String> JDK_ONLY = List.of("agent/AgentClient.java", "agent/Protocol.java",
            "agent/ExecResult.java", "agent/AgentException.java", "agent/AgentUnavailableException.java",
            "agent/AgentHandler.java");

    static List<String> imports(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> l.startsWith("import ")).toList();
    }

    @Test
    void sources_outsideTheChroniclePackage_neverImportChronicle() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                if (file.startsWith(MAIN.resolve("chronicle"))) {
                    continue;
                }
                for (String line : imports(file)) {
                    if (line.contains("net.openhft")) {
                        offenders.add(file + ": " + line);
                    }
                }
            }
        }
        assertEquals(List.of(), offenders);
    }

    @Test
    void thinClientSources_importOnlyTheJdk() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (String name : JDK_ONLY) {
            for (String line : imports(MAIN.resolve(name))) {
                if (!line.startsWith("import java.") && !line.startsWith("import static java.")) {
                    offenders.add(name + ": " + line);
                }
            }
        }
        assertEquals(List.of(), offenders);
    }
}
