/**
 * The image store under {@code <data>/cas}: content-addressed ACI blobs (the uncompressed tar,
 * keyed by its sha512), their manifests and metadata records, and the rendered trees apps run
 * from. Archives are checked while they stream in, so nothing unchecked ever enters the store;
 * extraction refuses anything that could write outside its target.
 */
package dev.rktj.kernel.image;
