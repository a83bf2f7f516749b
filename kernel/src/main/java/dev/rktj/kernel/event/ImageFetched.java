package dev.rktj.kernel.event;

import java.util.Map;

/** An image entered the store (or was fetched again: same id, new source or time). */
public record ImageFetched(String imageId, String name, Map<String, String> labels, String source, long size, String signer)
        implements KernelEvent {}
