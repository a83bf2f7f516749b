package dev.rktj.kernel.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rktj.kernel.appc.Annotation;
import dev.rktj.kernel.appc.App;
import dev.rktj.kernel.appc.Appc;
import dev.rktj.kernel.appc.Dependency;
import dev.rktj.kernel.appc.EnvVar;
import dev.rktj.kernel.appc.EventHandler;
import dev.rktj.kernel.appc.ImageManifest;
import dev.rktj.kernel.appc.Isolator;
import dev.rktj.kernel.appc.Label;
import dev.rktj.kernel.appc.MountPoint;
import dev.rktj.kernel.appc.Port;
import dev.rktj.kernel.image.ImageException;
import dev.rktj.kernel.image.ImageStore;
import dev.rktj.kernel.image.StoredImage;
import dev.rktj.kernel.spi.BlobDescriptor;
import dev.rktj.kernel.spi.FetchException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;

/**
 * Builds ACI archives for tests: a manifest from a few calls (or verbatim JSON), rootfs entries
 * of every kind, and raw entries for hostile archives. Paths given for the rootfs are relative
 * to it ({@code /bin/sh} and {@code bin/sh} are the same); raw entries are written exactly as
 * given. Output is reproducible: entries carry a fixed mtime and owner 0:0 unless told otherwise
 * ({@link #modTime}, {@link #owner}); the manifest and {@code rootfs/} entries always do.
 *
 * <pre>{@code
 * Path aci = AciBuilder.image("example.com/hello").exec("/bin/hello")
 *         .file("/bin/hello", bytes, 0755).compression(Compression.GZIP).writeTo(dir.resolve("hello.aci"));
 * }</pre>
 */
public final class AciBuilder {

    /** How the tar is wrapped. */
    public enum Compression { NONE, GZIP, BZIP2, XZ }

    /** The mtime entries get unless {@link #modTime} says otherwise. */
    public static final Instant DEFAULT_MTIME = Instant.parse("2020-01-01T00:00:00Z");

    private record Entry(TarArchiveEntry header, byte[] content) {}

    private final String name;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> annotations = new LinkedHashMap<>();
    private List<String> exec = List.of();
    private String user = "0";
    private String group = "0";
    private String workingDirectory;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<MountPoint> mountPoints = new ArrayList<>();
    private final List<Port> ports = new ArrayList<>();
    private final List<Isolator> isolators = new ArrayList<>();
    private final List<EventHandler> eventHandlers = new ArrayList<>();
    private final List<Dependency> dependencies = new ArrayList<>();
    private final List<String> pathWhitelist = new ArrayList<>();
    private boolean withApp = true;
    private String manifestJson;
    private boolean manifestLast;
    private boolean omitManifest;
    private boolean omitRootfsDir;
    private Compression compression = Compression.NONE;
    private Instant modTime = DEFAULT_MTIME;
    private long uid;
    private long gid;
    private final List<Entry> entries = new ArrayList<>();

    private AciBuilder(String name) {
        this.name = name;
        labels.put("os", "linux");
        labels.put("arch", Appc.HOST_ARCH);
    }

    /** An image called {@code name} with labels os=linux, arch=the host's, and an app running as 0:0. */
    public static AciBuilder image(String name) {
        return new AciBuilder(name);
    }

    // ---- manifest ----

    /** Sets a label; a null value removes it (also os and arch). */
    public AciBuilder label(String labelName, String value) {
        if (value == null) {
            labels.remove(labelName);
        } else {
            labels.put(labelName, value);
        }
        return this;
    }

    public AciBuilder annotation(String annotationName, String value) {
        annotations.put(annotationName, value);
        return this;
    }

    public AciBuilder exec(String... args) {
        exec = List.of(args);
        return this;
    }

    public AciBuilder user(String user) {
        this.user = user;
        return this;
    }

    public AciBuilder group(String group) {
        this.group = group;
        return this;
    }

    public AciBuilder env(String varName, String value) {
        environment.put(varName, value);
        return this;
    }

    public AciBuilder workingDirectory(String dir) {
        this.workingDirectory = dir;
        return this;
    }

    public AciBuilder mountPoint(String mountName, String path, boolean readOnly) {
        mountPoints.add(new MountPoint(mountName, path, readOnly));
        return this;
    }

    public AciBuilder port(String portName, String protocol, int port) {
        ports.add(new Port(portName, protocol, port, null, null));
        return this;
    }

    public AciBuilder isolator(String isolatorName, String valueJson) {
        try {
            JsonNode value = Appc.mapper().readTree(valueJson);
            isolators.add(new Isolator(isolatorName, value));
        } catch (IOException e) {
            throw new IllegalArgumentException("bad isolator JSON: " + valueJson, e);
        }
        return this;
    }

    public AciBuilder eventHandler(String handlerName, String... execArgs) {
        eventHandlers.add(new EventHandler(handlerName, List.of(execArgs)));
        return this;
    }

    /** A dependency by name and labels ({@code "version=1.0"}, ...), resolved from the store at render time. */
    public AciBuilder dependency(String imageName, String... labels) {
        List<Label> list = new ArrayList<>();
        for (String label : labels) {
            int eq = label.indexOf('=');
            list.add(new Label(label.substring(0, eq), label.substring(eq + 1)));
        }
        return dependency(new Dependency(imageName, null, list, null));
    }

    /** A dependency with every field as given (imageID, size). */
    public AciBuilder dependency(Dependency dependency) {
        dependencies.add(dependency);
        return this;
    }

    public AciBuilder pathWhitelist(String... paths) {
        pathWhitelist.addAll(List.of(paths));
        return this;
    }

    /** Leaves the app section out (a stage1 or dependency image). */
    public AciBuilder noApp() {
        withApp = false;
        return this;
    }

    /** Writes this text as the manifest instead of the one the other calls describe. */
    public AciBuilder manifestJson(String json) {
        this.manifestJson = json;
        return this;
    }

    /** Puts the manifest after the rootfs entries, as actool does. */
    public AciBuilder manifestLast() {
        this.manifestLast = true;
        return this;
    }

    public AciBuilder omitManifest() {
        this.omitManifest = true;
        return this;
    }

    /** Leaves out the explicit {@code rootfs/} directory entry. */
    public AciBuilder omitRootfsDir() {
        this.omitRootfsDir = true;
        return this;
    }

    /** The manifest JSON this builder writes. */
    public String manifest() {
        if (manifestJson != null) {
            return manifestJson;
        }
        List<Label> labelList = new ArrayList<>();
        labels.forEach((k, v) -> labelList.add(new Label(k, v)));
        List<Annotation> annotationList = new ArrayList<>();
        annotations.forEach((k, v) -> annotationList.add(new Annotation(k, v)));
        List<EnvVar> env = new ArrayList<>();
        environment.forEach((k, v) -> env.add(new EnvVar(k, v)));
        App app = withApp
                ? new App(exec, user, group, null, eventHandlers, workingDirectory, env, isolators, mountPoints, ports, null, null)
                : null;
        ImageManifest m = new ImageManifest(ImageManifest.KIND, "0.8.11", name, labelList, app, annotationList, dependencies, pathWhitelist);
        return new String(Appc.toJson(m), StandardCharsets.UTF_8);
    }

    // ---- rootfs entries ----

    /** The mtime of entries added after this call. */
    public AciBuilder modTime(Instant time) {
        this.modTime = time;
        return this;
    }

    /** The numeric owner of entries added after this call. */
    public AciBuilder owner(long uid, long gid) {
        this.uid = uid;
        this.gid = gid;
        return this;
    }

    public AciBuilder file(String pathInRootfs, byte[] content, int mode) {
        TarArchiveEntry e = header(rootfs(pathInRootfs), TarConstants.LF_NORMAL, mode);
        e.setSize(content.length);
        entries.add(new Entry(e, content.clone()));
        return this;
    }

    /** A text file, mode 0644. */
    public AciBuilder file(String pathInRootfs, String content) {
        return file(pathInRootfs, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    public AciBuilder dir(String pathInRootfs) {
        return dir(pathInRootfs, 0755);
    }

    public AciBuilder dir(String pathInRootfs, int mode) {
        entries.add(new Entry(header(rootfs(pathInRootfs) + "/", TarConstants.LF_DIR, mode), new byte[0]));
        return this;
    }

    /** A symlink whose target is written verbatim. */
    public AciBuilder symlink(String pathInRootfs, String target) {
        TarArchiveEntry e = header(rootfs(pathInRootfs), TarConstants.LF_SYMLINK, 0777);
        e.setLinkName(target);
        entries.add(new Entry(e, new byte[0]));
        return this;
    }

    /** A hard link to another path of the rootfs. */
    public AciBuilder hardlink(String pathInRootfs, String targetInRootfs) {
        TarArchiveEntry e = header(rootfs(pathInRootfs), TarConstants.LF_LINK, 0644);
        e.setLinkName(rootfs(targetInRootfs));
        entries.add(new Entry(e, new byte[0]));
        return this;
    }

    /** A copy of a host file (a binary, a script), keeping its permission bits. */
    public AciBuilder copyFromHost(Path hostFile, String pathInRootfs) {
        try {
            int mode = (Integer) Files.getAttribute(hostFile, "unix:mode") & 07777;
            return file(pathInRootfs, Files.readAllBytes(hostFile), mode);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public AciBuilder charDevice(String pathInRootfs, int major, int minor, int mode) {
        return device(pathInRootfs, TarConstants.LF_CHR, major, minor, mode);
    }

    public AciBuilder blockDevice(String pathInRootfs, int major, int minor, int mode) {
        return device(pathInRootfs, TarConstants.LF_BLK, major, minor, mode);
    }

    public AciBuilder fifo(String pathInRootfs, int mode) {
        return device(pathInRootfs, TarConstants.LF_FIFO, 0, 0, mode);
    }

    /**
     * An entry written exactly as given, for hostile archives: the name is not put under
     * {@code rootfs/} nor cleaned ({@code ../x}, {@code /etc/passwd} stay as they are).
     *
     * @param typeFlag a tar type flag ({@link TarConstants#LF_NORMAL}, {@link TarConstants#LF_LINK}, ...)
     * @param linkName the link target for links, else null
     */
    public AciBuilder rawEntry(String tarName, byte typeFlag, String linkName, byte[] content, int mode) {
        TarArchiveEntry e = header(tarName, typeFlag, mode);
        if (linkName != null) {
            e.setLinkName(linkName);
        }
        e.setSize(content.length);
        entries.add(new Entry(e, content.clone()));
        return this;
    }

    /** A fully prepared header and its data, for cases the other methods cannot express. */
    public AciBuilder rawEntry(TarArchiveEntry header, byte[] content) {
        entries.add(new Entry(header, content.clone()));
        return this;
    }

    // ---- output ----

    public AciBuilder compression(Compression compression) {
        this.compression = compression;
        return this;
    }

    /** The archive's bytes, compressed as asked. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = compressed(bytes); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            byte[] manifest = manifest().getBytes(StandardCharsets.UTF_8);
            if (!omitManifest && !manifestLast) {
                put(tar, manifestEntry(manifest));
            }
            if (!omitRootfsDir) {
                put(tar, new Entry(fixedHeader("rootfs/", TarConstants.LF_DIR, 0755), new byte[0]));
            }
            for (Entry e : entries) {
                put(tar, e);
            }
            if (!omitManifest && manifestLast) {
                put(tar, manifestEntry(manifest));
            }
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes the archive to {@code aci} and returns that path. */
    public Path writeTo(Path aci) {
        try {
            Files.write(aci, toBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return aci;
    }

    /** Stages and commits the archive into {@code store}, as a fetch of source {@code aci-builder:<name>} would. */
    public StoredImage importInto(ImageStore store) throws IOException, FetchException, ImageException {
        BlobDescriptor staged = store.stagingSink().write(new ByteArrayInputStream(toBytes()));
        return store.commit(staged, "aci-builder:" + name, null);
    }

    private Entry manifestEntry(byte[] manifest) {
        TarArchiveEntry e = fixedHeader("manifest", TarConstants.LF_NORMAL, 0644);
        e.setSize(manifest.length);
        return new Entry(e, manifest);
    }

    private AciBuilder device(String pathInRootfs, byte flag, int major, int minor, int mode) {
        TarArchiveEntry e = header(rootfs(pathInRootfs), flag, mode);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        entries.add(new Entry(e, new byte[0]));
        return this;
    }

    /** The manifest and rootfs/ entries: always 0:0 and the default mtime, whatever later calls set. */
    private static TarArchiveEntry fixedHeader(String tarName, byte flag, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(tarName, flag, true);
        e.setMode(mode);
        e.setLastModifiedTime(FileTime.from(DEFAULT_MTIME));
        return e;
    }

    private TarArchiveEntry header(String tarName, byte flag, int mode) {
        // preserveAbsolutePath: hostile names must reach the archive untouched
        TarArchiveEntry e = new TarArchiveEntry(tarName, flag, true);
        e.setMode(mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setLastModifiedTime(FileTime.from(modTime));
        return e;
    }

    private static String rootfs(String pathInRootfs) {
        String p = pathInRootfs;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? "rootfs" : "rootfs/" + p;
    }

    private static void put(TarArchiveOutputStream tar, Entry e) throws IOException {
        tar.putArchiveEntry(e.header());
        tar.write(e.content());
        tar.closeArchiveEntry();
    }

    private OutputStream compressed(OutputStream out) throws IOException {
        return switch (compression) {
            case NONE -> out;
            case GZIP -> new GzipCompressorOutputStream(out);
            case BZIP2 -> new BZip2CompressorOutputStream(out);
            case XZ -> new XZCompressorOutputStream(out);
        };
    }
}
