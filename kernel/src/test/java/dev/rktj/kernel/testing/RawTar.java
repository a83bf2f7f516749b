package dev.rktj.kernel.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes tar archives byte by byte, for what no well-behaved writer produces: names that are not
 * UTF-8 or hold NUL bytes, PAX records that rename an entry, GNU long names, sizes that lie, global
 * headers. Each header is a ustar header with owner 0:0 and mtime 0 unless given.
 *
 * <pre>{@code
 * byte[] tar = new RawTar().manifest(json).dir("rootfs/")
 *         .pax(Map.of("path", bytes("rootfs/../../evil"))).file("rootfs/innocent", data).end();
 * }</pre>
 */
public final class RawTar {

    private static final int BLOCK = 512;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private Long nextSize;
    private long nextUid;
    private int nextMajor;
    private int nextMinor;

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A regular {@code manifest} entry holding {@code json}. */
    public RawTar manifest(String json) {
        return entry(bytes("manifest"), '0', 0644, null, bytes(json));
    }

    public RawTar dir(String name) {
        return entry(bytes(name), '5', 0755, null, new byte[0]);
    }

    public RawTar file(String name, byte[] data) {
        return entry(bytes(name), '0', 0644, null, data);
    }

    /** The next header declares this size whatever data follows it. */
    public RawTar declaredSize(long size) {
        this.nextSize = size;
        return this;
    }

    /** The next header's uid field (octal, so at most 07777777). */
    public RawTar uid(long uid) {
        this.nextUid = uid;
        return this;
    }

    /** The next header's device numbers. */
    public RawTar device(int major, int minor) {
        this.nextMajor = major;
        this.nextMinor = minor;
        return this;
    }

    /**
     * One header and its data (padded to a block).
     *
     * @param name at most 100 bytes, written as given
     * @param type the type flag ('0' file, '1' hard link, '2' symlink, '5' directory, ...)
     * @param link the link name, at most 100 bytes, or null
     */
    public RawTar entry(byte[] name, char type, int mode, byte[] link, byte[] data) {
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, nextUid);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, nextSize != null ? nextSize : data.length);
        octal(h, 136, 12, 0);
        h[156] = (byte) type;
        if (link != null) {
            put(h, 157, 100, link);
        }
        put(h, 257, 6, bytes("ustar\0"));
        put(h, 263, 2, bytes("00"));
        put(h, 265, 32, bytes("root"));
        put(h, 297, 32, bytes("root"));
        octal(h, 329, 8, nextMajor);
        octal(h, 337, 8, nextMinor);
        checksum(h);
        out.writeBytes(h);
        out.writeBytes(data);
        pad(data.length);
        nextSize = null;
        nextUid = 0;
        nextMajor = 0;
        nextMinor = 0;
        return this;
    }

    /** A PAX extended header ('x') for the next entry; values are written as given. */
    public RawTar pax(Map<String, byte[]> records) {
        return paxHeader('x', records);
    }

    /** A global PAX header ('g'), for every later entry. */
    public RawTar globalPax(Map<String, byte[]> records) {
        return paxHeader('g', records);
    }

    /** A GNU long name ('L') for the next entry. */
    public RawTar gnuLongName(byte[] name) {
        byte[] data = Arrays.copyOf(name, name.length + 1);
        return entry(bytes("././@LongLink"), 'L', 0644, null, data);
    }

    /** The archive with its end marker (two zero blocks). */
    public byte[] end() {
        out.writeBytes(new byte[2 * BLOCK]);
        return out.toByteArray();
    }

    /** The archive so far, without an end marker. */
    public byte[] cut() {
        return out.toByteArray();
    }

    private RawTar paxHeader(char type, Map<String, byte[]> records) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> r : new LinkedHashMap<>(records).entrySet()) {
            byte[] body = concat(bytes(" " + r.getKey() + "="), r.getValue(), new byte[] {'\n'});
            // the length counts its own digits
            int length = body.length + 1;
            while (Integer.toString(length).length() + body.length != length) {
                length++;
            }
            data.writeBytes(bytes(Integer.toString(length)));
            data.writeBytes(body);
        }
        return entry(bytes("PaxHeaders/x"), type, 0644, null, data.toByteArray());
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    private void pad(int length) {
        int rest = length % BLOCK;
        if (rest != 0) {
            out.writeBytes(new byte[BLOCK - rest]);
        }
    }

    private static void put(byte[] h, int offset, int length, byte[] value) {
        if (value.length > length) {
            throw new IllegalArgumentException("field of " + length + " bytes cannot hold " + value.length);
        }
        System.arraycopy(value, 0, h, offset, value.length);
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        if (digits.length() > length - 1) {
            throw new IllegalArgumentException(value + " does not fit " + length + " bytes of octal");
        }
        put(h, offset, length, bytes("0".repeat(length - 1 - digits.length()) + digits + "\0"));
    }

    private static void checksum(byte[] h) {
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, 8, bytes(String.format("%06o", sum) + "\0 "));
    }
}
