/**
 * The PF4J plugin host: loads plugin jars from the plugins directories, checks the SPI version
 * they require, and hands out their {@link dev.rktj.kernel.spi.Stage1} and
 * {@link dev.rktj.kernel.spi.ImageFetcher} extensions. Nothing else in the kernel touches PF4J.
 */
package dev.rktj.kernel.plugin;
