package dev.rktj.journal.chronicle;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rktj.journal.EnvelopeJson;
import dev.rktj.journal.NewEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A child process of the multi-process test: {@code <journalDir> <writer> <count> <syncDir>}.
 * Opens the journal, says it is ready, waits for the go file so that all children append at the
 * same time, then appends {@code count} events one by one.
 */
public final class AppendMain {

    public static void main(String[] args) throws Exception {
        Path journalDir = Path.of(args[0]);
        String writer = args[1];
        int count = Integer.parseInt(args[2]);
        Path syncDir = Path.of(args[3]);
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir)) {
            Files.createFile(syncDir.resolve("ready-" + writer));
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.exists(syncDir.resolve("go"))) {
                if (System.nanoTime() > deadline) {
                    System.exit(3);
                }
                Thread.sleep(2);
            }
            for (int i = 0; i < count; i++) {
                ObjectNode data = EnvelopeJson.mapper().createObjectNode();
                data.put("writer", writer);
                data.put("i", i);
                journal.append(List.of(NewEvent.now("TestAppended", 1, data)));
            }
        }
    }
}
