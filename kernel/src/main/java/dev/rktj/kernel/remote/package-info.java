/**
 * What the kernel keeps for fetchers that talk to servers: the one Vert.x instance it lends them,
 * its per-URL records (ETag, max-age) and the auth.d credentials. Nothing here is loaded by a
 * command that fetches nothing remote.
 */
package dev.rktj.kernel.remote;
