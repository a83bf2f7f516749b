package dev.rktj.cli;

import picocli.CommandLine.Option;

/** The output options rkt's listing commands share. */
final class TableOptions {

    @Option(names = "--full", description = "use long output format")
    boolean full;

    @Option(names = "--no-legend", description = "suppress a legend with the list")
    boolean noLegend;

    @Option(names = "--format", defaultValue = "", description = "choose the output format: json, json-pretty")
    String format;
}
