package dev.rktj.stage1.fly;

import org.pf4j.Plugin;

/**
 * The fly plugin's entry point for PF4J. Fly keeps no state between calls, so there is nothing to
 * start or stop: the work is in {@link FlyStage1}.
 */
public class FlyPlugin extends Plugin {}
