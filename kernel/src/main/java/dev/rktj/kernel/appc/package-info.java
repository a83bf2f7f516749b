/**
 * The App Container (appc 0.8.11) schema: image and pod manifests as Jackson records, and their
 * validation by the spec's rules (its regular expressions, not the reference code's looser
 * character checks). Records read leniently (unknown fields ignored, keys matched without regard
 * to case, as Go does) and write only what is set.
 */
package dev.rktj.kernel.appc;
