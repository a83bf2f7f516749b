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
        return mismatch(labels, wanted) == null;
    }

    /**
     * The first label in {@code wanted} that an image with {@code labels} does not satisfy, in
     * words ({@code version "2.0", not "1.0"}, {@code no version label ("1.0" asked)}), or null
     * when it satisfies them all.
     */
    public static String mismatch(Map<String, String> labels, Map<String, String> wanted) {
        for (Map.Entry<String, String> w : wanted.entrySet()) {
            String have = labels.get(w.getKey());
            boolean platform = w.getKey().equals("os") || w.getKey().equals("arch");
            if (have == null && !platform) {
                return "no " + w.getKey() + " label (\"" + w.getValue() + "\" asked)";
            }
            if (have != null && !have.equals(w.getValue())) {
                return w.getKey() + " \"" + have + "\", not \"" + w.getValue() + "\"";
            }
        }
        return null;
    }
}
