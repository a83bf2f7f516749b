package dev.rktj.stage1.nspawn;

import java.util.List;
import java.util.stream.Collectors;

/** Owns quoting words for the POSIX shell scripts nspawn writes. */
final class Shell {

    private Shell() {}

    /** One word, single-quoted: nothing inside is expanded. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    static String quote(List<String> words) {
        return words.stream().map(Shell::quote).collect(Collectors.joining(" "));
    }
}
