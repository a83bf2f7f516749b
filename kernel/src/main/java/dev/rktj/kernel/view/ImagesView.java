package dev.rktj.kernel.view;

import dev.rktj.journal.Envelope;
import dev.rktj.journal.Projection;
import dev.rktj.kernel.event.EventCodec;
import dev.rktj.kernel.event.ImageFetched;
import dev.rktj.kernel.event.ImageRemoved;
import dev.rktj.kernel.event.KernelEvent;
import dev.rktj.kernel.event.PodPrepared;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The images in the store as the journal tells it: what {@code rkt image list} shows. Last use is
 * the last pod prepared from the image.
 */
public final class ImagesView {

    /** One image. */
    public record Image(String id, String name, Map<String, String> labels, long size, long importedAt, long lastUsedAt,
                        String source, String signer) {}

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

    void apply(KernelEvent event, long at) {
        if (event instanceof ImageFetched e) {
            Image old = images.get(e.imageId());
            long imported = old == null ? at : old.importedAt();
            long used = old == null ? at : old.lastUsedAt();
            String signer = e.signer() != null ? e.signer() : old == null ? null : old.signer();
            images.put(e.imageId(), new Image(e.imageId(), e.name(), e.labels() == null ? Map.of() : e.labels(), e.size(),
                    imported, used, e.source(), signer));
        } else if (event instanceof ImageRemoved e) {
            images.remove(e.imageId());
        } else if (event instanceof PodPrepared e) {
            for (PodPrepared.App a : e.apps()) {
                Image i = images.get(a.imageId());
                if (i != null) {
                    images.put(i.id(), new Image(i.id(), i.name(), i.labels(), i.size(), i.importedAt(), at, i.source(), i.signer()));
                }
            }
        }
    }
}
