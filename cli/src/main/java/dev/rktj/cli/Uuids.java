package dev.rktj.cli;

import dev.rktj.kernel.KernelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Pod UUID arguments as rkt takes them: a prefix, or {@code --uuid-file}. */
final class Uuids {

    private Uuids() {}

    static String argument(String uuid, Path uuidFile, Path cwd) throws KernelException {
        if (uuidFile != null) {
            if (uuid != null) {
                throw new KernelException("only one of UUID or --uuid-file may be given");
            }
            try {
                return Files.readString(cwd.resolve(uuidFile)).trim();
            } catch (IOException e) {
                throw new KernelException("unable to read UUID from file \"" + uuidFile + "\": " + e.getMessage(), e);
            }
        }
        if (uuid == null) {
            throw new KernelException("a pod UUID or --uuid-file is required");
        }
        return uuid;
    }

    /** The pods {@code rm} and {@code stop} act on: the UUID arguments, then the one in {@code --uuid-file}. */
    static List<String> arguments(List<String> uuids, Path uuidFile, Path cwd) throws KernelException {
        List<String> targets = new java.util.ArrayList<>(uuids);
        if (uuidFile != null) {
            targets.add(argument(null, uuidFile, cwd));
        }
        if (targets.isEmpty()) {
            throw new Errors.UserException("at least one pod UUID or --uuid-file is required");
        }
        return targets;
    }

    /** rkt's messages for a prefix that matches none or several. */
    static <T> T resolve(List<T> matches, String prefix) throws KernelException {
        if (prefix.isEmpty()) {
            throw new KernelException("UUID cannot be empty");
        }
        if (matches.isEmpty()) {
            throw new KernelException("no matches found for \"" + prefix + "\"");
        }
        if (matches.size() > 1) {
            throw new KernelException("ambiguous uuid, " + matches.size() + " matches");
        }
        return matches.get(0);
    }
}
