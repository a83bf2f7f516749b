package dev.rktj.cli;

import dev.rktj.journal.agent.AgentHandler;
import dev.rktj.kernel.ImageRefs;
import dev.rktj.kernel.KernelException;
import dev.rktj.kernel.pod.AppSpec;
import dev.rktj.kernel.spi.ImageRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The thin client of a command the journal agent runs ({@link ThinCommand}, {@link ThinRun}):
 * what the command needs to know of it, whether the agent can do for it what it would do itself,
 * and the command's answer that the client should run it itself instead.
 */
final class StreamedClient {

    private final AgentHandler.Client link;
    private final boolean stderrTerminal;
    private final boolean canAsk;
    private volatile boolean declined;

    /**
     * @param link the connection of a streamed command, or null for one answered at its end
     *     (a thin run's launch), whose client is not watched
     * @param stderrTerminal whether the client's stderr is a terminal (progress bars are drawn for it)
     * @param canAsk whether the client's stdin and stdout are a terminal it could ask a question on
     */
    StreamedClient(AgentHandler.Client link, boolean stderrTerminal, boolean canAsk) {
        this.link = link;
        this.stderrTerminal = stderrTerminal;
        this.canAsk = canAsk;
    }

    boolean stderrTerminal() {
        return stderrTerminal;
    }

    boolean canAsk() {
        return canAsk;
    }

    /** True once the client of a streamed command has gone: nobody waits for the command's outcome. */
    boolean gone() {
        return link != null && link.gone();
    }

    /** Whether output streams to the client as it is written (so a progress bar can be drawn for it). */
    boolean streamed() {
        return link != null;
    }

    /**
     * Whether the agent fetches {@code images} exactly as the client would: it reads every local
     * image file and signature or knows it is absent (a file the agent cannot read may be the
     * client's to read), and no image is found by a name whose keys the client could be asked
     * about on its terminal (questions are asked where the terminal is).
     *
     * @param signatures the {@code --signature} file of the image at an index, or null
     */
    boolean canServe(Rkt rkt, List<String> images, IntFunction<Path> signatures) {
        boolean verify;
        try {
            verify = !rkt.config().insecure("image");
        } catch (KernelException e) {
            return true; // a bad option: the command says so, wherever it runs
        }
        for (int i = 0; i < images.size(); i++) {
            ImageRef ref;
            try {
                ref = ImageRefs.classify(images.get(i), rkt.cwd());
            } catch (KernelException e) {
                continue; // the command says what is wrong with it, wherever it runs
            }
            Path signature = signatures.apply(i);
            if (signature != null && !readableOrAbsent(signature)) {
                return false;
            }
            if (ref.kind() == ImageRef.Kind.FILE && !readableWithSignatures(Path.of(ref.location()))) {
                return false;
            }
            if (ref.kind() == ImageRef.Kind.NAME && verify && canAsk && !rkt.trustKeysFromHttps) {
                return false;
            }
        }
        return true;
    }

    /** {@link #canServe(Rkt, List, IntFunction)} for the images of a run or prepare command line. */
    boolean canServe(Rkt rkt, RunArgs args) {
        return canServe(rkt, args.apps.stream().map(AppSpec::image).toList(), i -> args.apps.get(i).signature());
    }

    /** The file and every {@code .asc} beside it that a fetch might read are readable here or certainly absent. */
    private static boolean readableWithSignatures(Path image) {
        String name = image.getFileName() == null ? "" : image.getFileName().toString();
        return readableOrAbsent(image) && readableOrAbsent(image.resolveSibling(name + ".asc"))
                && readableOrAbsent(image.resolveSibling(name + ".aci.asc"));
    }

    /** Not {@code !exists}: a file behind a directory this process may not search neither exists nor is absent. */
    private static boolean readableOrAbsent(Path file) {
        return Files.isReadable(file) || Files.notExists(file);
    }

    /** The command cannot be served here, and did nothing: the client runs it itself. */
    void decline() {
        declined = true;
    }

    boolean declined() {
        return declined;
    }
}
