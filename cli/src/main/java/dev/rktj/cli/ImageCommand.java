package dev.rktj.cli;

import picocli.CommandLine.Command;

/** {@code rkt image ...}: operations on the local image store. */
@Command(name = "image", description = "Operate on image(s) in the local store", subcommands = {
        ImageListCommand.class, ImageRmCommand.class, ImageCatManifestCommand.class, ImageExportCommand.class,
        ImageExtractCommand.class, ImageRenderCommand.class, ImageGcCommand.class, ImageVerifyCommand.class})
final class ImageCommand extends Sub implements java.util.concurrent.Callable<Integer> {

    @Override
    public Integer call() {
        spec.commandLine().usage(err());
        return 2;
    }
}
