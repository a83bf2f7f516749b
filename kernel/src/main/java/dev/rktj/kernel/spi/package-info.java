/**
 * The plugin SPI: what stage1 isolators and image fetchers implement. Public signatures here use
 * only JDK and {@code dev.rktj.kernel.spi} types (SpiSignatureTest enforces it), so a third-party
 * plugin compiles against this package alone. Every operation takes one request record: the SPI
 * grows by adding record components, never by changing method signatures.
 */
package dev.rktj.kernel.spi;
