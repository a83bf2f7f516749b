package dev.rktj.journal;

/**
 * A view folded from events: {@code initial()} then {@code evolve(view, event)} for each event.
 * Views are immutable values so that a cached one can be shared while it is extended.
 */
public interface Projection<V> {

    V initial();

    V evolve(V view, Envelope event);
}
