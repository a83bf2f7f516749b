package dev.rktj.kernel.event;

/** An image left the store. */
public record ImageRemoved(String imageId) implements KernelEvent {}
