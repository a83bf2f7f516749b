package dev.rktj.kernel.image;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/** The kinds of tar entry an image may hold; anything else (volume labels, multi-volume parts) is refused. */
enum EntryKind {
    FILE, DIR, SYMLINK, HARDLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO;

    /** The kind of {@code e}, or null when images may not contain it. */
    static EntryKind of(TarArchiveEntry e) {
        if (e.isDirectory()) {
            return DIR;
        }
        return switch (e.getLinkFlag()) {
            // commons-compress hands sparse files ('S') over expanded, so they read as plain files.
            case '0', 0, '7', 'S' -> FILE;
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
