package dev.rktj.kernel.view;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rktj.journal.Envelope;
import dev.rktj.journal.NewEvent;
import dev.rktj.journal.Writer;
import dev.rktj.kernel.appc.Appc;
import dev.rktj.kernel.event.EventCodec;
import dev.rktj.kernel.event.ImageFetched;
import dev.rktj.kernel.event.ImageRemoved;
import dev.rktj.kernel.event.ImageRendered;
import dev.rktj.kernel.event.KernelEvent;
import dev.rktj.kernel.event.PodPrepared;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Given these events, then this images view. */
class ImagesViewTest {

    private static final String A = "sha512-" + "a".repeat(64);
    private static final String B = "sha512-" + "b".repeat(64);
    private static final String C = "sha512-" + "c".repeat(64);
    private static final Map<String, String> HOST = Map.of("os", Appc.HOST_OS, "arch", Appc.HOST_ARCH);

    private static List<Envelope> envelopes(KernelEvent... events) {
        List<Envelope> out = new ArrayList<>();
        long seq = 0;
        for (KernelEvent e : events) {
            NewEvent n = EventCodec.encode(e);
            out.add(new Envelope(++seq, 1000 * seq, n.type(), n.v(), n.writer(), n.data()));
        }
        return out;
    }

    private static ImagesView fold(List<Envelope> events) {
        ImagesView view = ImagesView.PROJECTION.initial();
        for (Envelope e : events) {
            view = ImagesView.PROJECTION.evolve(view, e);
        }
        return view;
    }

    private static ImagesView.Image image(ImagesView view, String id) {
        return view.all().stream().filter(i -> i.id().equals(id)).findFirst().orElseThrow();
    }

    private static ImageFetched fetched(String id, String name, Map<String, String> labels) {
        return new ImageFetched(id, name, labels, "/tmp/x.aci", 1000, null);
    }

    @Test
    void evolve_prepareAndRender_treeSizeAddsToTheArchiveSize() {
        ImagesView view = fold(envelopes(fetched(A, "example.com/a", HOST), fetched(B, "example.com/b", HOST),
                new PodPrepared("pod-1", List.of(new PodPrepared.App("a", A, "example.com/a", 500)), "fly"),
                new ImageRendered(B, "deps-sha512-x", 700)));
        assertEquals(500, image(view, A).treeSize());
        assertEquals(1500, image(view, A).totalSize());
        assertEquals(3000, image(view, A).lastUsedAt());
        assertEquals(1700, image(view, B).totalSize());
        assertEquals(2000, image(view, B).lastUsedAt(), "rendering is not a use");
    }

    @Test
    void evolve_refetchAndPrepareWithoutSize_keepTheTreeSize() {
        ImagesView view = fold(envelopes(fetched(A, "example.com/a", HOST), new ImageRendered(A, "deps-sha512-x", 700),
                fetched(A, "example.com/a", HOST), new PodPrepared("pod-1", List.of(new PodPrepared.App("a", A, "example.com/a")), "fly")));
        assertEquals(700, image(view, A).treeSize());
    }

    @Test
    void evolve_removedThenFetchedAgain_startsWithoutATree() {
        ImagesView view = fold(envelopes(fetched(A, "example.com/a", HOST), new ImageRendered(A, "deps-sha512-x", 700),
                new ImageRemoved(A), fetched(A, "example.com/a", HOST)));
        assertEquals(0, image(view, A).treeSize());
    }

    @Test
    void decode_podPreparedWrittenBeforeTreeSize_readsAsZero() throws Exception {
        ObjectMapper m = new ObjectMapper();
        ObjectNode data = (ObjectNode) m.readTree("{\"pod\":\"pod-1\",\"stage1\":\"fly\",\"apps\":[{\"name\":\"a\",\"imageId\":\"" + A
                + "\",\"imageName\":\"example.com/a\"}]}");
        PodPrepared old = (PodPrepared) EventCodec.decode(new Envelope(1, 1, "PodPrepared", 1, new Writer(1, "h"), data));
        assertEquals(List.of(new PodPrepared.App("a", A, "example.com/a", 0)), old.apps());
    }

    @Test
    void latest_newestImportPerNameAmongImagesForThisHost() {
        String foreign = Appc.HOST_ARCH.equals("aarch64") ? "amd64" : "aarch64";
        ImagesView view = fold(envelopes(
                fetched(A, "example.com/app", Map.of("version", "1", "os", Appc.HOST_OS, "arch", Appc.HOST_ARCH)),
                fetched(B, "example.com/app", Map.of("version", "2")),
                fetched(C, "example.com/app", Map.of("version", "3", "arch", foreign))));
        assertEquals(Set.of(B), view.latest(), "C is newer but does not run here; B runs anywhere");
        ImagesView again = fold(envelopes(fetched(B, "example.com/app", HOST), fetched(A, "example.com/app", HOST),
                fetched(C, "example.com/other", HOST)));
        assertEquals(Set.of(A, C), again.latest());
    }
}
