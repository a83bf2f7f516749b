package dev.rktj.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code rkt version}: rkt's lines, with the JVM in place of Go. */
@Command(name = "version", description = "Print the version and exit")
final class VersionCommand extends Sub implements Callable<Integer> {

    static final String VERSION = "0.1.0";

    @Override
    public Integer call() {
        out().print(text());
        return 0;
    }

    static String text() {
        String arch = System.getProperty("os.arch");
        return "rkt Version: " + VERSION + " (rktj)\n"
                + "appc Version: 0.8.11\n"
                + "Java Version: " + System.getProperty("java.version") + "\n"
                + "Java OS/Arch: " + System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT) + "/"
                + ("x86_64".equals(arch) ? "amd64" : arch) + "\n"
                + "Features: -TPM -SDJOURNAL\n";
    }
}
