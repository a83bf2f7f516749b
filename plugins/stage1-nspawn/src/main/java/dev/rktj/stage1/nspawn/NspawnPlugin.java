package dev.rktj.stage1.nspawn;

import org.pf4j.Plugin;

/**
 * The nspawn plugin's entry point for PF4J. Nothing is kept between calls: each pod's state is in
 * its own directory and processes, so the work is in {@link NspawnStage1}.
 */
public class NspawnPlugin extends Plugin {}
