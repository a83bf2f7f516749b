package dev.rktj.fetch;

import org.pf4j.Plugin;

/**
 * The fetchers plugin's entry point for PF4J. Its fetchers keep no shared state, so there is
 * nothing to start or stop: the work is in the {@code @Extension} classes.
 */
public class FetchersPlugin extends Plugin {}
