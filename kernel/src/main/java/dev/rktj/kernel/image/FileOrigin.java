package dev.rktj.kernel.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A local file an image was imported from, as it was then, so that fetching the same unchanged
 * file again is answered from the store without reading it. A file's identity is its device,
 * inode, size, and modification and change times to the nanosecond: any write, replacement,
 * rename over it or attribute change moves one of them.
 *
 * @param path the file's absolute path
 * @param identity the file's {@link #identity} when it was imported
 * @param signatures the identities of the signature files considered ({@link #signatures}), empty when not verified
 * @param imageId the stored image it held
 * @param signer the fingerprint of the key that verified it, or null when it was imported unverified
 */
public record FileOrigin(String path, String identity, List<String> signatures, String imageId, String signer) {

    public FileOrigin {
        signatures = signatures == null ? List.of() : List.copyOf(signatures);
    }

    /** {@code dev:ino size mtime-ns ctime-ns} of the file a path names now (links followed), or null when there is none. */
    public static String identity(Path file) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime");
        } catch (NoSuchFileException e) {
            return null;
        }
        return a.get("dev") + ":" + a.get("ino") + " " + a.get("size") + " "
                + ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS) + " " + ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS);
    }

    /** Each signature file as {@code path=identity}, {@code path=absent} when there is none. */
    public static List<String> signatures(List<Path> files) throws IOException {
        List<String> identities = new ArrayList<>();
        for (Path f : files) {
            String id = identity(f);
            identities.add(f + "=" + (id == null ? "absent" : id));
        }
        return identities;
    }
}
