package dev.rktj.kernel;

import dev.rktj.kernel.image.ImageMatch;
import dev.rktj.kernel.spi.ImageRef;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/** Classifies an image argument by rkt's rules (rkt-reference.md §4, image-argument resolution). */
public final class ImageRefs {

    private ImageRefs() {}

    /** @param cwd the caller's working directory, for relative paths */
    public static ImageRef classify(String arg, Path cwd) throws KernelException {
        if (arg.isEmpty()) {
            throw new KernelException("image argument cannot be empty");
        }
        if (arg.startsWith("sha512-")) {
            return new ImageRef(arg, ImageRef.Kind.HASH, arg);
        }
        if (arg.startsWith("docker://") || arg.startsWith("docker:")) {
            return new ImageRef(arg, ImageRef.Kind.DOCKER, arg);
        }
        if (arg.startsWith("file://")) {
            return new ImageRef(arg, ImageRef.Kind.FILE, Path.of(URI.create(arg)).toString());
        }
        if (arg.startsWith("https://") || arg.startsWith("http://")) {
            if (!arg.endsWith(".aci")) {
                throw new KernelException("invalid image URL \"" + arg + "\": it must end in .aci");
            }
            return new ImageRef(arg, arg.startsWith("https://") ? ImageRef.Kind.HTTPS : ImageRef.Kind.HTTP, arg);
        }
        Path asPath = cwd.resolve(arg).normalize();
        if (arg.startsWith("/") || Files.isRegularFile(asPath)) {
            return new ImageRef(arg, ImageRef.Kind.FILE, asPath.toString());
        }
        if (arg.contains(":")) {
            return name(arg);
        }
        if (arg.contains("./") || arg.endsWith(".aci")) {
            return new ImageRef(arg, ImageRef.Kind.FILE, asPath.toString());
        }
        return name(arg);
    }

    /** A NAME reference: the AC Identifier, and the labels asked for with the host's os and arch filled in. */
    private static ImageRef name(String arg) throws KernelException {
        ImageName name = ImageName.parse(arg);
        return new ImageRef(arg, ImageRef.Kind.NAME, name.name(), ImageMatch.wanted(name.labels()));
    }
}
