package dev.rktj.kernel.pod;

import java.time.Duration;

/**
 * {@code rkt gc}'s options.
 *
 * @param gracePeriod how long an exited pod stays in exited-garbage before deletion
 * @param expirePrepared how long a prepared pod may wait before it is thrown away
 * @param markOnly only move pods to the garbage directories
 */
public record GcRequest(Duration gracePeriod, Duration expirePrepared, boolean markOnly) {}
