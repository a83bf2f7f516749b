package dev.rktj.kernel.image;

import java.nio.file.Path;

/** Renders one image from a separate JVM, for the cross-process locking test: {@code <dataDir> <imageId>}. */
public final class RenderInAnotherProcess {

    private RenderInAnotherProcess() {}

    public static void main(String[] args) throws Exception {
        ImageStore store = ImageStore.open(Path.of(args[0]));
        ImageId id = ImageId.parse(args[1]);
        System.out.println("ready");
        System.out.flush();
        System.out.println(store.render(id));
    }
}
