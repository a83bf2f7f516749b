package dev.rktj.kernel.image;

import dev.rktj.kernel.spi.BlobDescriptor;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Imports one ACI from a separate JVM, for the cross-process import test: {@code <dataDir> <aci>}.
 * Prints "ready", waits for a line on stdin so that all such processes start together, then
 * prints the stored image's ID.
 */
public final class ImportInAnotherProcess {

    private ImportInAnotherProcess() {}

    public static void main(String[] args) throws Exception {
        ImageStore store = ImageStore.open(Path.of(args[0]));
        System.out.println("ready");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        BlobDescriptor staged;
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            staged = store.stagingSink().write(in);
        }
        System.out.println(store.commit(staged, args[1], null).id());
    }
}
