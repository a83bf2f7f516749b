package dev.rktj.journal;

/** The process that appended an event. */
public record Writer(long pid, String host) {

    private static final Writer SELF = new Writer(ProcessHandle.current().pid(), hostName());

    public static Writer self() {
        return SELF;
    }

    private static String hostName() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (java.io.IOException | RuntimeException e) {
            return "localhost";
        }
    }
}
