package dev.rktj.fetch.file;

import dev.rktj.kernel.spi.BlobDescriptor;
import dev.rktj.kernel.spi.FetchContext;
import dev.rktj.kernel.spi.FetchException;
import dev.rktj.kernel.spi.FetchedImage;
import dev.rktj.kernel.spi.ImageFetcher;
import dev.rktj.kernel.spi.ImageRef;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.Extension;

/**
 * Fetches an image from a local file (rkt's {@code rkt fetch ./app.aci}). When the kernel wants
 * the image's detached signature, it must lie next to the image ({@code app.aci.asc}) and is read
 * before the image, so that the kernel verifies it while the image streams in.
 *
 * <p>The kernel has already turned {@code file://} URLs and relative paths into an absolute path
 * in {@link ImageRef#location()}.
 */
@Extension(ordinal = 10)
public final class FileFetcher implements ImageFetcher {

    @Override
    public boolean handles(ImageRef ref) {
        return ref.kind() == ImageRef.Kind.FILE;
    }

    @Override
    public FetchedImage fetch(ImageRef ref, FetchContext context) throws FetchException {
        if (!handles(ref)) {
            throw new FetchException("the file fetcher cannot fetch \"" + ref.raw() + "\" (kind " + ref.kind() + ")");
        }
        Path path = imagePath(ref);
        if (Files.isDirectory(path)) {
            throw new FetchException("unable to open image file \"" + path + "\": it is a directory");
        }
        byte[] signature = context.sink().wantsSignature() ? signature(path) : null;
        context.log().debug("image: using image from file " + path);
        BlobDescriptor blob;
        try (InputStream in = open(path)) {
            try {
                blob = context.sink().write(in, signature);
            } catch (IOException e) {
                throw new FetchException("unable to import image file \"" + path + "\": " + oneLine(e), e);
            }
        } catch (IOException e) {
            // only closing the file can get here
            throw new FetchException("unable to read image file \"" + path + "\": " + oneLine(e), e);
        }
        return new FetchedImage(blob, signature, path.toString());
    }

    private static Path imagePath(ImageRef ref) throws FetchException {
        Path path;
        try {
            path = Path.of(ref.location());
        } catch (InvalidPathException | NullPointerException e) {
            throw new FetchException("invalid image file path \"" + ref.location() + "\"");
        }
        if (!path.isAbsolute()) {
            throw new FetchException("image file path \"" + path + "\" is not absolute");
        }
        return path;
    }

    private static InputStream open(Path path) throws FetchException {
        try {
            return new AnyFile(Files.newInputStream(path));
        } catch (NoSuchFileException e) {
            throw new FetchException("unable to open image file \"" + path + "\": no such file", e);
        } catch (AccessDeniedException e) {
            throw new FetchException("unable to open image file \"" + path + "\": permission denied", e);
        } catch (IOException e) {
            throw new FetchException("unable to open image file \"" + path + "\": " + oneLine(e), e);
        }
    }

    /**
     * A file's stream whose {@code available()} never fails: on a pipe (a FIFO, {@code /dev/stdin})
     * the JDK's channel stream asks for a position that pipes do not have, and the decompressors
     * ask for {@code available()}. Zero is always a correct answer.
     */
    private static final class AnyFile extends FilterInputStream {
        AnyFile(InputStream in) {
            super(in);
        }

        @Override
        public int available() {
            try {
                return super.available();
            } catch (IOException e) {
                return 0;
            }
        }
    }

    /**
     * The detached signature's bytes: {@code <path>.asc}, else rkt's {@code <path minus .aci>.aci.asc}
     * for an image file not named {@code *.aci}; without one, rkt's {@code error opening signature file}.
     */
    private static byte[] signature(Path image) throws FetchException {
        List<Path> candidates = signatureCandidates(image);
        for (Path candidate : candidates) {
            if (!Files.isRegularFile(candidate)) {
                continue;
            }
            try {
                return Files.readAllBytes(candidate);
            } catch (IOException e) {
                throw new FetchException("error opening signature file: " + candidate + ": " + oneLine(e), e);
            }
        }
        throw new FetchException("error opening signature file: open " + candidates.get(candidates.size() - 1)
                + ": no such file or directory (sign the image, or use it unverified with --insecure-options=image)");
    }

    static List<Path> signatureCandidates(Path image) {
        String name = image.getFileName().toString();
        List<Path> candidates = new ArrayList<>(List.of(image.resolveSibling(name + ".asc")));
        if (!name.endsWith(".aci")) {
            candidates.add(image.resolveSibling(name + ".aci.asc"));
        }
        return candidates;
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }
}
