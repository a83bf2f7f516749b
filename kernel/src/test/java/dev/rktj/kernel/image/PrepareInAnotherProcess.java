package dev.rktj.kernel.image;

import dev.rktj.kernel.pod.PodLock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Plays a prepare in a separate JVM, for the prepare-lock tests: {@code <dataDir> <podDir> <imageId>}.
 * Takes the shared prepare lock (printing "locked" once it has it), waits for a line, writes a
 * locked pod directory whose manifest names the image, releases the prepare lock ("released"),
 * and keeps the pod locked until stdin closes.
 */
public final class PrepareInAnotherProcess {

    private PrepareInAnotherProcess() {}

    public static void main(String[] args) throws Exception {
        ImageStore store = ImageStore.open(Path.of(args[0]));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Path pod = Path.of(args[1]);
        PodLock podLock;
        try (PrepareLock lock = store.sharedPrepareLock()) {
            System.out.println("locked");
            System.out.flush();
            in.readLine();
            Files.createDirectories(pod);
            podLock = PodLock.create(pod);
            Files.writeString(pod.resolve("pod"), "{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",\"apps\":[{\"name\":\"a\","
                    + "\"image\":{\"id\":\"" + args[2] + "\"},\"app\":{\"exec\":[\"/bin/app\"],\"user\":\"0\",\"group\":\"0\"}}]}");
        }
        System.out.println("released");
        System.out.flush();
        in.readLine();
        podLock.close();
    }
}
