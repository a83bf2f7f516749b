package dev.rktj.kernel.image;

import dev.rktj.kernel.appc.AppcException;
import dev.rktj.kernel.appc.Appc;
import dev.rktj.kernel.appc.ImageManifest;
import dev.rktj.kernel.spi.FetchException;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Checks an ACI's entries as they stream past: the layout (a {@code manifest} file and a
 * {@code rootfs} directory, nothing else on top), no duplicates, and nothing that extraction
 * would refuse (climbing names, paths through symlinks, hard links to outside or to later
 * entries), so that a blob in the store always renders.
 */
final class AciLayoutCheck {

    static final long MAX_MANIFEST_SIZE = 1024 * 1024;

    /** The kind of every entry seen so far, by cleaned name. */
    private final Map<String, EntryKind> seen = new HashMap<>();
    /** Directories that deeper entries need but that have no entry (yet). */
    private final Set<String> implied = new HashSet<>();
    private ImageManifest manifest;
    private byte[] manifestJson;
    private boolean rootfsSeen;

    /** Checks one entry; {@code content} is positioned at its data. */
    void accept(AciTar.Item item, InputStream content) throws FetchException, IOException {
        String raw = item.raw();
        String name = item.name();
        EntryKind kind = item.kind();
        if (seen.containsKey(name)) {
            throw new FetchException("duplicate file entry in archive: " + name);
        }
        if (implied.remove(name) && kind != EntryKind.DIR) {
            throw new FetchException(EntryNames.refusing(raw, "earlier entries made it a directory"));
        }
        String top = EntryNames.top(name);
        if (name.equals(".")) {
            // "tar -C dir ." writes the top directory itself; it carries nothing an image needs.
            if (kind != EntryKind.DIR) {
                throw new FetchException("unrecognized file path in layout: " + ImageId.quote(name));
            }
        } else if (top.equals("manifest")) {
            if (!name.equals("manifest")) {
                throw new FetchException("unrecognized file path in layout: " + ImageId.quote(name));
            }
            if (kind != EntryKind.FILE) {
                throw new FetchException("manifest is not a regular file");
            }
            readManifest(item.header(), content);
        } else if (top.equals("rootfs")) {
            if (name.equals("rootfs")) {
                if (kind != EntryKind.DIR) {
                    throw new FetchException("rootfs is not a directory");
                }
                rootfsSeen = true;
            } else {
                checkParents(raw, name);
                if (kind == EntryKind.HARDLINK) {
                    checkHardLink(raw, item.linkName());
                }
            }
        } else {
            throw new FetchException("unrecognized file path in layout: " + ImageId.quote(name));
        }
        seen.put(name, kind);
    }

    /** The validated manifest, once the whole archive has been seen. */
    ImageManifest finish() throws FetchException {
        if (manifest == null) {
            throw new FetchException("no image manifest found in layout");
        }
        if (!rootfsSeen) {
            throw new FetchException("no rootfs found in layout");
        }
        return manifest;
    }

    byte[] manifestJson() {
        return manifestJson.clone();
    }

    private void readManifest(TarArchiveEntry e, InputStream content) throws FetchException, IOException {
        if (e.getSize() > MAX_MANIFEST_SIZE) {
            throw new FetchException("image manifest is larger than 1 MiB (" + e.getSize() + " bytes)");
        }
        byte[] json = content.readNBytes((int) MAX_MANIFEST_SIZE + 1);
        if (json.length > MAX_MANIFEST_SIZE) {
            throw new FetchException("image manifest is larger than 1 MiB");
        }
        try {
            manifest = Appc.parseImageManifest(json);
        } catch (AppcException ex) {
            throw new FetchException(ex.getMessage(), ex);
        }
        manifestJson = json;
    }

    private void checkParents(String raw, String name) throws FetchException {
        // Walk down from the top so the first offending ancestor is the one named.
        int from = 0;
        while (true) {
            int slash = name.indexOf('/', from);
            if (slash < 0) {
                return;
            }
            String ancestor = name.substring(0, slash);
            from = slash + 1;
            EntryKind kind = seen.get(ancestor);
            if (kind == null) {
                implied.add(ancestor);
            } else if (kind == EntryKind.SYMLINK) {
                throw new FetchException(EntryNames.refusing(raw, "path passes through the symlink " + ImageId.quote(ancestor)));
            } else if (kind != EntryKind.DIR) {
                throw new FetchException(EntryNames.refusing(raw, ImageId.quote(ancestor) + " is not a directory"));
            }
        }
    }

    private void checkHardLink(String raw, String linkName) throws FetchException {
        String target;
        try {
            target = EntryNames.cleanLinkTarget(raw, linkName);
        } catch (EntryNames.Refused r) {
            throw new FetchException(r.getMessage());
        }
        if (!EntryNames.top(target).equals("rootfs") || target.equals("rootfs")) {
            throw new FetchException(EntryNames.refusing(raw, "hard link target " + ImageId.quote(linkName) + " is outside the rootfs"));
        }
        EntryKind kind = seen.get(target);
        if (kind == null || kind == EntryKind.DIR) {
            throw new FetchException(EntryNames.refusing(raw, "hard link target " + ImageId.quote(linkName) + " is not an earlier file of the image"));
        }
    }
}
