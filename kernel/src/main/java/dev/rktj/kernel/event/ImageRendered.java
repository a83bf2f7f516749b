package dev.rktj.kernel.event;

/**
 * An image's tree was rendered into the tree store ({@code cas/tree/<treeId>}) outside a prepare,
 * by {@code rkt image render}; prepares carry the size in {@link PodPrepared.App#treeSize()}.
 *
 * @param treeSize bytes the rendered tree takes, counted as rkt counts a treestore
 */
public record ImageRendered(String imageId, String treeId, long treeSize) implements KernelEvent {}
