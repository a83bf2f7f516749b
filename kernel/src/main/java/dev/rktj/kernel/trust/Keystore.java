package dev.rktj.kernel.trust;

import dev.rktj.kernel.appc.Appc;
import dev.rktj.kernel.fs.Durable;
import dev.rktj.kernel.trust.TrustedKey.Origin;
import dev.rktj.kernel.trust.TrustedKey.Status;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

/**
 * Owns the trusted keys: {@code <config>/trustedkeys/root.d/<fingerprint>} (trusted for every
 * image) and {@code <config>/trustedkeys/prefix.d/<prefix>/<fingerprint>} (for images whose name
 * is the prefix or lies below it, path component by path component), in the local and the system
 * configuration. {@code rkt trust} writes only local files: the armored key, mode 0644, replaced
 * atomically. An empty local file masks the key of the same fingerprint that the directories
 * before it gave.
 */
public final class Keystore {

    private static final Set<PosixFilePermission> KEY_FILE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> KEY_DIR = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final String ROOT_SCOPE = "";

    private final Path local;
    private final Path system;

    /** @param localConfig {@code --local-config}; @param systemConfig {@code --system-config} */
    public Keystore(Path localConfig, Path systemConfig) {
        this.local = localConfig.resolve("trustedkeys");
        this.system = systemConfig.resolve("trustedkeys");
    }

    /** What {@code rkt trust --remove} did to one file. */
    public record Removal(String fingerprint, String prefix, Path path, boolean masked) {}

    /** A {@code --prefix} as the keystore takes it: an image-name prefix (an AC identifier), never a URL. */
    public static String checkPrefix(String prefix) throws TrustException {
        int scheme = prefix.indexOf("://");
        if (scheme > 0) {
            throw new TrustException("--prefix must not contain a URL scheme, omit " + prefix.substring(0, scheme) + "://");
        }
        if (!Appc.isAcIdentifier(prefix)) {
            throw new TrustException("invalid prefix \"" + prefix + "\": an image name or the start of one is expected"
                    + " (lower-case letters and digits, separated by one of -._~/)");
        }
        return prefix;
    }

    /** A fingerprint as users type it (rkt's spaced, upper-case form too), in the keystore's form. */
    public static String normalizeFingerprint(String fingerprint) throws TrustException {
        String fp = fingerprint.replace(" ", "").toLowerCase(Locale.ROOT);
        if (!FINGERPRINT.matcher(fp).matches()) {
            throw new TrustException("invalid fingerprint \"" + fingerprint + "\": 40 hex digits expected");
        }
        return fp;
    }

    /** Stores {@code key} in the local keystore for {@code prefix} (null: a root key); returns its file. */
    public Path store(String prefix, PgpKey key) throws TrustException {
        Path dir = prefix == null ? local.resolve("root.d") : local.resolve("prefix.d").resolve(checkPrefix(prefix));
        Path file = dir.resolve(key.fingerprint());
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(KEY_DIR));
            Durable.write(file, key.armored(), KEY_FILE);
        } catch (IOException e) {
            throw new TrustException("cannot write " + file + ": " + OpenPgp.oneLine(e), e);
        }
        return file;
    }

    /** Every key and mask file, local and system: root keys first, then by prefix and fingerprint. */
    public List<TrustedKey> list() throws TrustException {
        Snapshot s = read();
        List<TrustedKey> keys = new ArrayList<>();
        for (Entry e : s.entries) {
            Status status = e.mask() ? Status.MASK : s.masked(e) ? Status.MASKED : Status.TRUSTED;
            List<String> identities = e.mask() ? List.of() : OpenPgp.identities(e.readable().getPublicKey());
            keys.add(new TrustedKey(e.fingerprint(), e.prefix, e.origin, status, identities, e.path));
        }
        keys.sort(Comparator.comparing((TrustedKey k) -> k.prefix() == null ? ROOT_SCOPE : k.prefix())
                .thenComparing(TrustedKey::fingerprint).thenComparing(TrustedKey::origin));
        return keys;
    }

    /**
     * Stops trusting the key wherever it is trusted: its local files are deleted, and a system key
     * (also one a deleted local file stood beside) is masked by an empty local file.
     */
    public List<Removal> remove(String fingerprint) throws TrustException {
        String fp = normalizeFingerprint(fingerprint);
        Snapshot s = read();
        Map<String, Entry> localKeys = new LinkedHashMap<>();
        Map<String, Entry> systemKeys = new LinkedHashMap<>();
        for (Entry e : s.entries) {
            if (e.fingerprint().equals(fp) && !e.mask()) {
                (e.origin == Origin.LOCAL ? localKeys : systemKeys).put(scope(e.prefix), e);
            }
        }
        List<Removal> removals = new ArrayList<>();
        try {
            for (Entry e : localKeys.values()) {
                if (systemKeys.containsKey(scope(e.prefix))) {
                    Durable.write(e.path, new byte[0], KEY_FILE);
                    removals.add(new Removal(fp, e.prefix, e.path, true));
                } else {
                    Files.delete(e.path);
                    Durable.syncDirectory(e.path.getParent());
                    removals.add(new Removal(fp, e.prefix, e.path, false));
                }
            }
            for (Entry e : systemKeys.values()) {
                if (!localKeys.containsKey(scope(e.prefix)) && !s.masked(e)) {
                    Path mask = localPath(e.prefix, fp);
                    Files.createDirectories(mask.getParent(), PosixFilePermissions.asFileAttribute(KEY_DIR));
                    Durable.write(mask, new byte[0], KEY_FILE);
                    removals.add(new Removal(fp, e.prefix, mask, true));
                }
            }
        } catch (IOException e) {
            throw new TrustException("cannot remove key " + fp + ": " + OpenPgp.oneLine(e), e);
        }
        if (removals.isEmpty()) {
            throw new TrustException("no trusted key has fingerprint " + fp);
        }
        return removals;
    }

    /** Reads every key file once; what an operation decides is decided on this one reading. */
    Snapshot read() throws TrustException {
        List<Entry> entries = new ArrayList<>();
        for (Origin origin : Origin.values()) {
            Path base = origin == Origin.LOCAL ? local : system;
            readDir(origin, null, base.resolve("root.d"), entries);
            Path prefixes = base.resolve("prefix.d");
            if (Files.isDirectory(prefixes)) {
                try (Stream<Path> dirs = Files.walk(prefixes)) {
                    for (Path dir : (Iterable<Path>) dirs.filter(Files::isDirectory).sorted()::iterator) {
                        if (!dir.equals(prefixes)) {
                            readDir(origin, prefixes.relativize(dir).toString(), dir, entries);
                        }
                    }
                } catch (IOException | java.io.UncheckedIOException e) {
                    throw new TrustException("cannot read the keystore in " + prefixes + ": " + OpenPgp.oneLine(e), e);
                }
            }
        }
        return new Snapshot(entries);
    }

    private static void readDir(Origin origin, String prefix, Path dir, List<Entry> into) throws TrustException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                // temp files of an interrupted write start with a dot
                if (Files.isRegularFile(p) && !p.getFileName().toString().startsWith(".")) {
                    files.add(p);
                }
            }
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new TrustException("cannot read the keystore directory " + dir + ": " + OpenPgp.oneLine(e), e);
        }
        files.sort(Comparator.naturalOrder());
        for (Path file : files) {
            into.add(readFile(origin, prefix, file));
        }
    }

    private static Entry readFile(Origin origin, String prefix, Path file) {
        String name = file.getFileName().toString();
        try {
            byte[] data = Files.readAllBytes(file);
            if (data.length == 0) {
                return new Entry(origin, prefix, file, null, null);
            }
            List<String> found = new ArrayList<>();
            for (PGPPublicKeyRing ring : OpenPgp.keyRings(data)) {
                String fp = OpenPgp.fingerprint(ring.getPublicKey());
                if (fp.equals(name)) {
                    return new Entry(origin, prefix, file, ring, null);
                }
                found.add(fp);
            }
            return new Entry(origin, prefix, file, null, "fingerprint mismatch: the file is named " + name + " but holds " + found);
        } catch (IOException e) {
            return new Entry(origin, prefix, file, null, OpenPgp.oneLine(e));
        } catch (TrustException e) {
            return new Entry(origin, prefix, file, null, e.getMessage());
        }
    }

    private Path localPath(String prefix, String fingerprint) {
        return (prefix == null ? local.resolve("root.d") : local.resolve("prefix.d").resolve(prefix)).resolve(fingerprint);
    }

    private static String scope(String prefix) {
        return prefix == null ? ROOT_SCOPE : prefix;
    }

    /**
     * One key file: a key ({@code ring}), a mask (empty), or unreadable ({@code error}).
     *
     * @param prefix null in root.d
     */
    record Entry(Origin origin, String prefix, Path path, PGPPublicKeyRing ring, String error) {
        String fingerprint() {
            return path.getFileName().toString();
        }

        boolean mask() {
            return ring == null && error == null;
        }

        PGPPublicKeyRing readable() throws TrustException {
            if (error != null) {
                throw new TrustException("keystore: " + path + ": " + error);
            }
            return ring;
        }
    }

    /** The keystore as read once. */
    static final class Snapshot {
        final List<Entry> entries;
        private final Map<String, List<Entry>> byScope = new HashMap<>();

        Snapshot(List<Entry> entries) {
            this.entries = List.copyOf(entries);
            for (Entry e : entries) {
                byScope.computeIfAbsent(e.origin + "|" + scope(e.prefix), k -> new ArrayList<>()).add(e);
            }
        }

        /**
         * The keys trusted for an image name, by fingerprint, in rkt's order: system root.d, local
         * root.d, then the system and the local prefix.d directories along the name, each
         * directory's files in name order; a later key replaces one of the same fingerprint, an
         * empty file drops it. Prefixes match whole path components: a key for example.com/ap
         * is not a key for example.com/app.
         */
        Map<String, Entry> keyringFor(String imageName) throws TrustException {
            Map<String, Entry> keys = new LinkedHashMap<>();
            apply(Origin.SYSTEM, null, keys);
            apply(Origin.LOCAL, null, keys);
            for (Origin origin : List.of(Origin.SYSTEM, Origin.LOCAL)) {
                int slash = -1;
                do {
                    slash = imageName.indexOf('/', slash + 1);
                    apply(origin, slash < 0 ? imageName : imageName.substring(0, slash), keys);
                } while (slash >= 0);
            }
            return keys;
        }

        private void apply(Origin origin, String prefix, Map<String, Entry> keys) throws TrustException {
            for (Entry e : byScope.getOrDefault(origin + "|" + scope(prefix), List.of())) {
                if (e.mask()) {
                    keys.remove(e.fingerprint());
                } else {
                    e.readable();
                    keys.put(e.fingerprint(), e);
                }
            }
        }

        /** A system key with an empty local file of its fingerprint in the same place. */
        boolean masked(Entry system) {
            if (system.origin != Origin.SYSTEM) {
                return false;
            }
            for (Entry e : byScope.getOrDefault(Origin.LOCAL + "|" + scope(system.prefix), List.of())) {
                if (e.mask() && e.fingerprint().equals(system.fingerprint())) {
                    return true;
                }
            }
            return false;
        }

        /** Every readable key, for finding who made a signature before the image's name is known. */
        List<Entry> keys() {
            return entries.stream().filter(e -> e.ring != null).toList();
        }
    }
}
