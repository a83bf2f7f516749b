package dev.rktj.kernel.image;

import dev.rktj.kernel.appc.Appc;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which stored images an image name picks, as rkt resolves names in its store: every label asked
 * for must match; a name that gives no {@code os} or {@code arch} asks for the host's, and an image
 * without those labels runs anywhere. Among several matches the newest import wins.
 */
public final class ImageMatch {

    private ImageMatch() {}

    /** The labels a name asks for, with the host's {@code os} and {@code arch} where it gives none. */
    public static Map<String, String> wanted(Map<String, String> asked) {
        Map<String, String> wanted = new LinkedHashMap<>(asked == null ? Map.of() : asked);
        wanted.putIfAbsent("os", Appc.HOST_OS);
        wanted.putIfAbsent("arch", Appc.HOST_ARCH);
        return wanted;
    }

    /** Whether an image with {@code labels} satisfies every label in {@code wanted}. */
    public static boolean satisfies(Map<String, String> labels, Map<String, String> wanted) {
        for (Map.Entry<String, String> w : wanted.entrySet()) {
            String have = labels.get(w.getKey());
            boolean platform = w.getKey().equals("os") || w.getKey().equals("arch");
            if (have == null ? !platform : !have.equals(w.getValue())) {
                return false;
            }
        }
        return true;
    }
}
