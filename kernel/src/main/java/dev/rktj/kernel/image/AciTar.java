package dev.rktj.kernel.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads an ACI's tar one entry at a time, for the import check and for extraction alike, with
 * what the tar library would lose or let pass: names exactly as the archive spells them (the
 * library turns bytes that are not UTF-8 into {@code ?}), extended attributes with their raw
 * bytes (it decodes PAX values as text), and whether the archive ended with its end marker or
 * was cut. Everything an entry may not be, whatever its place in the image, is refused here.
 */
final class AciTar extends TarArchiveInputStream {

    /** Longest entry name: leaves room under PATH_MAX for the data directory the tree lives in. */
    static final int MAX_NAME_BYTES = 3072;
    private static final int MAX_COMPONENT_BYTES = 255;
    // Linux: a symlink's target fits one page; an xattr name 255 bytes, its value 64 KiB.
    private static final int MAX_SYMLINK_BYTES = 4095;
    private static final int MAX_XATTR_NAME_BYTES = 255;
    private static final int MAX_XATTR_VALUE_BYTES = 65536;
    private static final long MAX_ID = 4294967294L; // (uid_t) -1 means "leave unchanged" to chown
    private static final int MAX_MAJOR = 4095;
    private static final int MAX_MINOR = 1048575;
    private static final String XATTR_KEY = "SCHILY.xattr.";

    /**
     * One entry as the image holds it.
     *
     * @param raw the name as the archive spells it (for messages)
     * @param name the cleaned name ({@code rootfs/bin/sh}, {@code .} for the top directory)
     * @param linkName the link target as the archive spells it, or "" when not a link
     * @param xattrs extended attributes by full name ({@code user.x}, {@code security.capability})
     */
    record Item(TarArchiveEntry header, String raw, String name, String linkName, EntryKind kind, Map<String, byte[]> xattrs) {}

    private final ByteArrayOutputStream localPax = new ByteArrayOutputStream();
    private final ByteArrayOutputStream globalPax = new ByteArrayOutputStream();
    private TarArchiveEntry lastPaxHeader;
    private int paxHeaders;
    private boolean sawEndMarker;

    AciTar(InputStream tar) {
        // Latin-1 maps every byte to one char, so the names the library hands over are the raw bytes.
        super(tar, StandardCharsets.ISO_8859_1.name());
    }

    /** Whether the archive ended with its end-of-archive marker (and was not just cut short). */
    boolean sawEndMarker() {
        return sawEndMarker;
    }

    /** The next entry, or null after the last; the stream is then positioned at its data. */
    Item next() throws IOException, EntryNames.Refused {
        localPax.reset();
        globalPax.reset();
        paxHeaders = 0;
        TarArchiveEntry e = getNextEntry();
        if (e == null) {
            return null;
        }
        if (!e.isCheckSumOK()) {
            throw new IOException("the header of " + ImageId.quote(e.getName()) + " has a wrong checksum");
        }
        Map<String, byte[]> local = paxRecords(localPax.toByteArray());
        if (paxHeaders > 1) {
            throw new EntryNames.Refused(EntryNames.refusing(e.getName(), "several PAX headers for one entry"));
        }
        Map<String, byte[]> global = paxRecords(globalPax.toByteArray());
        for (String key : global.keySet()) {
            if (key.equals("path") || key.equals("linkpath") || key.startsWith(XATTR_KEY)) {
                throw new EntryNames.Refused("refusing a global PAX header that sets " + ImageId.quote(key) + " for every later entry");
            }
        }
        byte[] rawName = local.containsKey("path") ? local.get("path") : e.getName().getBytes(StandardCharsets.ISO_8859_1);
        String raw = text(rawName, "name", rawName);
        if (rawName.length > MAX_NAME_BYTES) {
            throw new EntryNames.Refused(EntryNames.refusing(raw, "name longer than " + MAX_NAME_BYTES + " bytes"));
        }
        for (String component : raw.split("/")) {
            if (component.getBytes(StandardCharsets.UTF_8).length > MAX_COMPONENT_BYTES) {
                throw new EntryNames.Refused(EntryNames.refusing(raw, "a name component is longer than " + MAX_COMPONENT_BYTES + " bytes"));
            }
        }
        String name = EntryNames.clean(raw);
        if (e.isSparse()) {
            throw new EntryNames.Refused(EntryNames.refusing(raw, "sparse files are not supported (archive without --sparse)"));
        }
        EntryKind kind = EntryKind.of(e);
        if (kind == null) {
            throw new EntryNames.Refused(EntryNames.refusing(raw, "unsupported entry type " + EntryKind.describeFlag(e)));
        }
        String linkName = "";
        if (kind == EntryKind.SYMLINK || kind == EntryKind.HARDLINK) {
            byte[] rawLink = local.containsKey("linkpath") ? local.get("linkpath") : e.getLinkName().getBytes(StandardCharsets.ISO_8859_1);
            linkName = text(rawLink, "link target", rawName);
            if (linkName.isEmpty()) {
                throw new EntryNames.Refused(EntryNames.refusing(raw, "link without a target"));
            }
            if (rawLink.length > MAX_SYMLINK_BYTES) {
                throw new EntryNames.Refused(EntryNames.refusing(raw, "link target longer than " + MAX_SYMLINK_BYTES + " bytes"));
            }
        }
        checkHeader(e, raw, kind);
        return new Item(e, raw, name, linkName, kind, xattrs(local, raw, kind));
    }

    private static void checkHeader(TarArchiveEntry e, String raw, EntryKind kind) throws EntryNames.Refused {
        // Some writers (Go's archive/tar) put the file type bits into the mode as well: only those may be there.
        int beyond = e.getMode() & ~07777;
        if (beyond != 0 && beyond != kind.typeBits()) {
            throw new EntryNames.Refused(EntryNames.refusing(raw, "mode 0" + Integer.toOctalString(e.getMode())
                    + " has bits beyond 07777 that are not its file type"));
        }
        for (long id : new long[] {e.getLongUserId(), e.getLongGroupId()}) {
            if (id < 0 || id > MAX_ID) {
                throw new EntryNames.Refused(EntryNames.refusing(raw, "owner " + id + " is not a 32-bit user or group ID"));
            }
        }
        if ((kind == EntryKind.CHAR_DEVICE || kind == EntryKind.BLOCK_DEVICE)
                && (e.getDevMajor() < 0 || e.getDevMajor() > MAX_MAJOR || e.getDevMinor() < 0 || e.getDevMinor() > MAX_MINOR)) {
            throw new EntryNames.Refused(EntryNames.refusing(raw, "device number " + e.getDevMajor() + ":" + e.getDevMinor() + " is out of range"));
        }
    }

    private static Map<String, byte[]> xattrs(Map<String, byte[]> pax, String raw, EntryKind kind) throws EntryNames.Refused {
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> p : pax.entrySet()) {
            if (!p.getKey().startsWith(XATTR_KEY)) {
                continue;
            }
            String name = p.getKey().substring(XATTR_KEY.length());
            String namespace = name.contains(".") ? name.substring(0, name.indexOf('.') + 1) : "";
            if (!LinuxFiles.NAMESPACES.contains(namespace) || name.length() == namespace.length()) {
                throw new EntryNames.Refused(EntryNames.refusing(raw, "xattr " + ImageId.quote(name) + " is not in a namespace Linux knows ("
                        + String.join(", ", LinuxFiles.NAMESPACES) + ")"));
            }
            if (name.getBytes(StandardCharsets.UTF_8).length > MAX_XATTR_NAME_BYTES || name.indexOf('\0') >= 0) {
                throw new EntryNames.Refused(EntryNames.refusing(raw, "xattr name " + ImageId.quote(name) + " is too long or holds a NUL byte"));
            }
            if (p.getValue().length > MAX_XATTR_VALUE_BYTES) {
                throw new EntryNames.Refused(EntryNames.refusing(raw, "xattr " + ImageId.quote(name) + " is larger than 64 KiB"));
            }
            // Linux keeps user xattrs off symlinks (and devices): they could never be restored.
            if (namespace.equals("user.") && kind != EntryKind.FILE && kind != EntryKind.DIR && kind != EntryKind.HARDLINK) {
                throw new EntryNames.Refused(EntryNames.refusing(raw, "user xattr " + ImageId.quote(name) + " on a " + kind.description()));
            }
            xattrs.put(name, p.getValue());
        }
        return Collections.unmodifiableMap(xattrs);
    }

    /** Strict UTF-8 without NUL bytes, or a refusal naming the entry by its raw bytes. */
    private static String text(byte[] bytes, String what, byte[] entryName) throws EntryNames.Refused {
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new EntryNames.Refused(EntryNames.refusingBytes(entryName, what + " is not valid UTF-8"));
        }
        if (decoded.indexOf('\0') >= 0) {
            throw new EntryNames.Refused(EntryNames.refusingBytes(entryName, what + " contains a NUL byte"));
        }
        return decoded;
    }

    /** PAX records ({@code "<len> <key>=<value>\n"}) with their values as bytes; later records win, as in the library. */
    private static Map<String, byte[]> paxRecords(byte[] data) throws IOException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        int pos = 0;
        while (pos < data.length) {
            int space = pos;
            while (space < data.length && data[space] >= '0' && data[space] <= '9') {
                space++;
            }
            if (space == pos || space >= data.length || data[space] != ' ') {
                if (allZero(data, pos)) {
                    break;
                }
                throw new IOException("malformed PAX header");
            }
            int length;
            try {
                length = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException("malformed PAX header", e);
            }
            int end = pos + length;
            if (length <= space - pos + 1 || end > data.length || data[end - 1] != '\n') {
                throw new IOException("malformed PAX header");
            }
            int eq = space + 1;
            while (eq < end - 1 && data[eq] != '=') {
                eq++;
            }
            if (eq >= end - 1) {
                throw new IOException("malformed PAX header");
            }
            String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            byte[] value = new byte[end - 1 - (eq + 1)];
            System.arraycopy(data, eq + 1, value, 0, value.length);
            records.put(key, value);
            pos = end;
        }
        return records;
    }

    private static boolean allZero(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] != 0) {
                return false;
            }
        }
        return true;
    }

    // The library reads PAX headers through this method: keep their raw bytes.
    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        TarArchiveEntry current = getCurrentEntry();
        if (n > 0 && current != null) {
            if (current.isGlobalPaxHeader()) {
                globalPax.write(b, off, n);
            } else if (current.isPaxHeader()) {
                if (current != lastPaxHeader) {
                    lastPaxHeader = current;
                    paxHeaders++;
                }
                localPax.write(b, off, n);
            }
        }
        return n;
    }

    @Override
    protected boolean isEOFRecord(byte[] record) {
        boolean end = super.isEOFRecord(record);
        // A null record is a short read: the archive was cut, not ended.
        if (end && record != null) {
            sawEndMarker = true;
        }
        return end;
    }
}
