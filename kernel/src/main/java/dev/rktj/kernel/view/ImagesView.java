package dev.rktj.kernel.view;

import dev.rktj.journal.Envelope;
import dev.rktj.journal.Projection;
import dev.rktj.kernel.event.EventCodec;
import dev.rktj.kernel.event.ImageFetched;
import dev.rktj.kernel.event.ImageRemoved;
import dev.rktj.kernel.event.ImageRendered;
import dev.rktj.kernel.event.KernelEvent;
import dev.rktj.kernel.event.PodPrepared;
import dev.rktj.kernel.image.ImageMatch;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The images in the store as the journal tells it: what {@code rkt image list} shows. Last use is
 * the last pod prepared from the image.
 */
public final class ImagesView {

    /**
     * One image.
     *
     * @param size the image archive's size (the uncompressed tar)
     * @param treeSize the size of its rendered tree, 0 until it is rendered
     */
    public record Image(String id, String name, Map<String, String> labels, long size, long importedAt, long lastUsedAt,
                        String source, String signer, long treeSize) {

        public Image(String id, String name, Map<String, String> labels, long size, long importedAt, long lastUsedAt,
                     String source, String signer) {
            this(id, name, labels, size, importedAt, lastUsedAt, source, signer, 0);
        }

        /** What the image takes in the store, archive and rendered tree together, as rkt's {@code image list} counts it. */
        public long totalSize() {
            return size + treeSize;
        }

        Image withUse(long at, long tree) {
            return new Image(id, name, labels, size, importedAt, at, source, signer, tree > 0 ? tree : treeSize);
        }
    }

    private final TreeMap<String, Image> images;

    private ImagesView(TreeMap<String, Image> images) {
        this.images = images;
    }

    public static final Projection<ImagesView> PROJECTION = new Projection<>() {
        @Override
        public ImagesView initial() {
            return new ImagesView(new TreeMap<>());
        }

        @Override
        public ImagesView evolve(ImagesView view, Envelope event) {
            view.apply(EventCodec.decode(event), event.at());
            return view;
        }
    };

    public ImagesView copy() {
        return new ImagesView(new TreeMap<>(images));
    }

    /** Images sorted by ID. */
    public List<Image> all() {
        return List.copyOf(images.values());
    }

    /**
     * The IDs of the images a name without a version picks ({@code rkt run NAME}), one per name: the
     * newest import among the images of that name that run on this host.
     */
    public Set<String> latest() {
        Map<String, String> host = ImageMatch.wanted(Map.of());
        Map<String, Image> newest = new HashMap<>();
        for (Image i : images.values()) {
            if (ImageMatch.satisfies(i.labels(), host)) {
                newest.merge(i.name(), i, (a, b) -> b.importedAt() >= a.importedAt() ? b : a);
            }
        }
        Set<String> ids = new HashSet<>();
        newest.values().forEach(i -> ids.add(i.id()));
        return ids;
    }

    void apply(KernelEvent event, long at) {
        if (event instanceof ImageFetched e) {
            Image old = images.get(e.imageId());
            long imported = old == null ? at : old.importedAt();
            long used = old == null ? at : old.lastUsedAt();
            String signer = e.signer() != null ? e.signer() : old == null ? null : old.signer();
            long tree = old == null ? 0 : old.treeSize();
            images.put(e.imageId(), new Image(e.imageId(), e.name(), e.labels() == null ? Map.of() : e.labels(), e.size(),
                    imported, used, e.source(), signer, tree));
        } else if (event instanceof ImageRemoved e) {
            images.remove(e.imageId());
        } else if (event instanceof ImageRendered e) {
            Image i = images.get(e.imageId());
            if (i != null) {
                images.put(i.id(), i.withUse(i.lastUsedAt(), e.treeSize()));
            }
        } else if (event instanceof PodPrepared e) {
            for (PodPrepared.App a : e.apps()) {
                Image i = images.get(a.imageId());
                if (i != null) {
                    images.put(i.id(), i.withUse(at, a.treeSize()));
                }
            }
        }
    }
}
