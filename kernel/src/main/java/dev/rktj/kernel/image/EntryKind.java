package dev.rktj.kernel.image;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * The kinds of tar entry an image may hold; anything else (volume labels, multi-volume parts,
 * sparse files) is refused.
 */
enum EntryKind {
    FILE(0100000, "file"),
    DIR(0040000, "directory"),
    SYMLINK(0120000, "symlink"),
    // a hard link names a regular file; writers that put type bits in the mode give it those
    HARDLINK(0100000, "hard link"),
    CHAR_DEVICE(0020000, "character device"),
    BLOCK_DEVICE(0060000, "block device"),
    FIFO(0010000, "fifo");

    private final int typeBits;
    private final String description;

    EntryKind(int typeBits, String description) {
        this.typeBits = typeBits;
        this.description = description;
    }

    /** The stat(2) file type bits (S_IFREG, S_IFDIR, ...) of this kind. */
    int typeBits() {
        return typeBits;
    }

    String description() {
        return description;
    }

    /** The kind of {@code e}, or null when images may not contain it. */
    static EntryKind of(TarArchiveEntry e) {
        if (e.isDirectory()) {
            return DIR;
        }
        return switch (e.getLinkFlag()) {
            case '0', 0, '7' -> FILE;
            case '1' -> HARDLINK;
            case '2' -> SYMLINK;
            case '3' -> CHAR_DEVICE;
            case '4' -> BLOCK_DEVICE;
            case '6' -> FIFO;
            default -> null;
        };
    }

    static String describeFlag(TarArchiveEntry e) {
        byte f = e.getLinkFlag();
        return f >= 0x20 && f < 0x7f ? "'" + (char) f + "'" : String.format("0x%02x", f & 0xff);
    }
}
