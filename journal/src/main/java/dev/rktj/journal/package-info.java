/**
 * The event log: envelopes, appending, sourcing (finite reads) and projections. Knows nothing of
 * containers. Only {@code dev.rktj.journal.chronicle} imports Chronicle Queue.
 */
package dev.rktj.journal;
