/**
 * Trust and signature verification: the keystore under {@code <config>/trustedkeys} (rkt's
 * layout: {@code root.d/<fingerprint>} and {@code prefix.d/<prefix>/<fingerprint>}, local and
 * system, an empty local file masking a system key), reading keys from files and https URLs, and
 * checking an image's detached OpenPGP signature while the image streams into the store. The only
 * package that touches Bouncy Castle: its types never appear in a public signature here.
 */
package dev.rktj.kernel.trust;
