package dev.rktj.kernel.image;

import dev.rktj.kernel.appc.Dependency;
import dev.rktj.kernel.appc.ImageManifest;
import dev.rktj.kernel.appc.Label;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The layers an image renders from: the image and its dependency closure, resolved from the store,
 * highest first. appc (ace.md) extracts dependencies depth-first in the order they are listed and
 * the image last, later overriding earlier: for A -> [B, C], C -> [D] the override order is B, D,
 * C, A. Read from the top that is A, C, D, B, which is also the order (and the key list) rkt
 * hashes into the tree's ID. An image reachable through two paths is a layer twice, each with the
 * whitelists of its own path.
 */
final class Layers {

    /** More layers than any real image has; a bound on what a crafted set of manifests could make us read. */
    static final int MAX_LAYERS = 256;

    /**
     * One image to extract.
     *
     * @param whitelists the path whitelists that filter it: its own and those of the images above it
     */
    record Layer(ImageId id, List<Whitelist> whitelists) {

        /** What the whitelists let through, or null when none applies. */
        TarExtractor.Filter filter() {
            if (whitelists.isEmpty()) {
                return null;
            }
            return (path, directory) -> whitelists.stream().allMatch(w -> w.keeps(path, directory));
        }
    }

    /**
     * One image's {@code pathWhitelist}: only the paths listed survive, and the directories that
     * lead to them (without them a listed file could not exist).
     */
    record Whitelist(Set<String> paths, Set<String> ancestors) {

        static Whitelist of(List<String> listed) {
            Set<String> paths = new HashSet<>();
            Set<String> ancestors = new HashSet<>();
            for (String p : listed) {
                // validation made them absolute; "/etc/systemd/system/" is the directory itself
                List<String> parts = new ArrayList<>();
                for (String part : p.split("/")) {
                    if (part.equals("..")) {
                        if (!parts.isEmpty()) {
                            parts.remove(parts.size() - 1);
                        }
                    } else if (!part.isEmpty() && !part.equals(".")) {
                        parts.add(part);
                    }
                }
                paths.add("/" + String.join("/", parts));
                for (int i = 0; i < parts.size(); i++) {
                    ancestors.add("/" + String.join("/", parts.subList(0, i)));
                }
            }
            return new Whitelist(Set.copyOf(paths), Set.copyOf(ancestors));
        }

        boolean keeps(String path, boolean directory) {
            return paths.contains(path) || directory && ancestors.contains(path);
        }
    }

    private final ImageStore store;
    private final String topName;
    private final List<Layer> layers = new ArrayList<>();

    private Layers(ImageStore store, String topName) {
        this.store = store;
        this.topName = topName;
    }

    /** The layers of {@code top}, highest first; refuses a dependency missing from the store, a mismatch, or a cycle. */
    static List<Layer> of(ImageStore store, ImageId top) throws ImageException {
        ImageManifest manifest = store.manifest(top);
        Layers resolver = new Layers(store, manifest.name());
        resolver.visit(top, manifest, List.of(top), List.of(manifest.name()), List.of());
        return List.copyOf(resolver.layers);
    }

    private void visit(ImageId id, ImageManifest manifest, List<ImageId> branch, List<String> names, List<Whitelist> above)
            throws ImageException {
        List<Whitelist> whitelists = new ArrayList<>(above);
        if (!manifest.pathWhitelist().isEmpty()) {
            whitelists.add(Whitelist.of(manifest.pathWhitelist()));
        }
        if (layers.size() == MAX_LAYERS) {
            throw new ImageException("image " + ImageId.quote(topName) + ": its dependencies make more than " + MAX_LAYERS + " layers");
        }
        layers.add(new Layer(id, List.copyOf(whitelists)));
        List<Dependency> dependencies = manifest.dependencies();
        // the last dependency overrides the ones before it, so it comes right under its image
        for (int i = dependencies.size() - 1; i >= 0; i--) {
            Dependency d = dependencies.get(i);
            ImageId dep = resolve(d, manifest.name());
            List<String> path = new ArrayList<>(names);
            path.add(d.imageName());
            if (branch.contains(dep)) {
                throw new ImageException("image " + ImageId.quote(topName) + ": dependency cycle: " + String.join(" -> ", path));
            }
            List<ImageId> deeper = new ArrayList<>(branch);
            deeper.add(dep);
            visit(dep, store.manifest(dep), deeper, path, whitelists);
        }
    }

    /** The stored image a dependency names: by ID when it gives one (which must then match), else by name and labels. */
    private ImageId resolve(Dependency d, String dependent) throws ImageException {
        String what = "dependency " + ImageId.quote(describe(d)) + (d.imageID() == null ? "" : " " + d.imageID())
                + " of image " + ImageId.quote(dependent);
        StoredImage found;
        if (d.imageID() != null) {
            ImageId id;
            try {
                id = ImageId.parse(d.imageID());
            } catch (ImageException e) {
                throw new ImageException(what + ": imageID " + ImageId.quote(d.imageID()) + " is not a full image ID");
            }
            found = store.get(id).orElseThrow(() -> new ImageException(what + " is not in the store (fetch it first)"));
            if (!found.name().equals(d.imageName())) {
                throw new ImageException(what + ": the image with ID " + id + " is named " + ImageId.quote(found.name()));
            }
        } else {
            Map<String, String> labels = new LinkedHashMap<>();
            for (Label label : d.labels()) {
                labels.put(label.name(), label.value());
            }
            Optional<StoredImage> match = store.findByName(d.imageName(), labels);
            found = match.orElseThrow(() -> new ImageException(what + " is not in the store (fetch it first)"));
        }
        // the spec asks for the size to be checked, against endless data
        if (d.size() != null && d.size() != found.size()) {
            throw new ImageException(what + ": it is " + found.size() + " bytes, the manifest says " + d.size());
        }
        return found.id();
    }

    /** {@code name,label=value,...}, as rkt's image strings write it. */
    private static String describe(Dependency d) {
        StringBuilder sb = new StringBuilder(d.imageName());
        for (Label label : d.labels()) {
            sb.append(',').append(label.name()).append('=').append(label.value());
        }
        return sb.toString();
    }
}
