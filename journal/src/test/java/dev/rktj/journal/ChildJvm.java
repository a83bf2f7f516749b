package dev.rktj.journal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds the command line of a child JVM that runs a test main class like this JVM runs tests. */
public final class ChildJvm {

    private ChildJvm() {}

    /** {@code java <module flags and -D of this JVM> -cp <this class path> mainClass args...}. */
    public static List<String> command(Class<?> mainClass, String... args) {
        return command(true, mainClass, args);
    }

    /** As above; without this JVM's {@code -D} properties when {@code systemProperties} is false. */
    public static List<String> command(boolean systemProperties, Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> inputs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < inputs.size(); i++) {
            String arg = inputs.get(i);
            // Chronicle's module flags and system properties; never agents or debuggers, whose
            // ports and files would clash with this JVM's
            if (arg.startsWith("--add-opens=") || arg.startsWith("--add-exports=")
                    || (systemProperties && arg.startsWith("-D"))) {
                command.add(arg);
            } else if ((arg.equals("--add-opens") || arg.equals("--add-exports")) && i + 1 < inputs.size()) {
                command.add(arg);
                command.add(inputs.get(++i));
            }
        }
        command.add("-Xshare:auto");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** Starts it with its output in files next to each other, so nothing fills a pipe. */
    public static Process start(Path outputDir, String name, List<String> command) throws IOException {
        return start(outputDir, name, command, null);
    }

    /** As above, in {@code workDir} when not null. */
    public static Process start(Path outputDir, String name, List<String> command, Path workDir) throws IOException {
        return new ProcessBuilder(command)
                .directory(workDir == null ? null : workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(outputDir.resolve(name + ".out").toFile())
                .redirectError(outputDir.resolve(name + ".err").toFile())
                .start();
    }
}
