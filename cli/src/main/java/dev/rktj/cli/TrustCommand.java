package dev.rktj.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rktj.kernel.Kernel;
import dev.rktj.kernel.KernelException;
import dev.rktj.kernel.TrustService;
import dev.rktj.kernel.trust.Keystore;
import dev.rktj.kernel.trust.PgpKey;
import dev.rktj.kernel.trust.TrustedKey;
import java.io.Console;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rkt trust}: adds keys to the local keystore after the user reviewed their fingerprints
 * (rkt's lines and question), and, new in rktj, lists ({@code --list}) and removes
 * ({@code --remove FINGERPRINT}) trusted keys.
 */
@Command(name = "trust", description = "Trust a key for image verification",
        customSynopsis = {"rkt trust [--prefix=PREFIX] [--insecure-allow-http] [--skip-fingerprint-review] [--root] [PUBKEY ...]",
                "       rkt trust --list [--full] [--no-legend] [--format=json|json-pretty]",
                "       rkt trust --remove FINGERPRINT"})
final class TrustCommand extends Sub implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "PUBKEY", description = "a key file: a local path or an https URL")
    List<String> keys = new ArrayList<>();

    @Option(names = "--prefix", description = "prefix to limit trust to")
    String prefix;

    @Option(names = "--root", arity = "0..1", fallbackValue = "true", description = "add root key from filesystem without a prefix")
    boolean root;

    @Option(names = "--skip-fingerprint-review", arity = "0..1", fallbackValue = "true",
            description = "accept key without fingerprint confirmation")
    boolean skipFingerprintReview;

    @Option(names = "--insecure-allow-http", arity = "0..1", fallbackValue = "true",
            description = "allow HTTP use for key retrieval")
    boolean insecureAllowHttp;

    @Option(names = "--list", description = "list the trusted keys, local and system")
    boolean list;

    @Option(names = "--remove", paramLabel = "FINGERPRINT",
            description = "stop trusting a key: its local files are deleted, a system key is masked")
    String remove;

    @Mixin
    TableOptions table;

    @Override
    public Integer call() throws Exception {
        if (list || remove != null) {
            if (list && remove != null || !keys.isEmpty() || prefix != null || root) {
                throw new Errors.UserException((list ? "--list" : "--remove") + " takes no keys, --prefix, --root or other action");
            }
            return list ? list() : remove();
        }
        if (prefix == null && !root) {
            if (keys.isEmpty()) {
                spec.commandLine().usage(err());
                return Rkt.EXIT_ERROR;
            }
            throw new Errors.UserException("aborting due to implicit unbounded trust (root domain): give a prefix"
                    + " (rkt trust --prefix \"example.com/foo\" PUBKEY) or ask for a root key (rkt trust --root PUBKEY)");
        }
        if (prefix != null && root) {
            throw new Errors.UserException("--root and --prefix usage mutually exclusive");
        }
        if (prefix != null) {
            TrustService.checkPrefix(prefix);
        }
        if (keys.isEmpty() && root) {
            throw new Errors.UserException("--root needs a key file: root keys are never discovered");
        }
        Console console = System.console();
        if (!skipFingerprintReview && console == null) {
            throw new Errors.UserException("cannot ask you to review the key's fingerprint: the input is not a terminal"
                    + " (check the fingerprint yourself, then pass --skip-fingerprint-review)");
        }
        String shownPrefix = prefix == null ? "" : prefix;
        try (Kernel kernel = kernel()) {
            TrustService trust = kernel.trust();
            if (keys.isEmpty()) {
                // rkt: the keys the prefix's appc discovery offers (ac-discovery-pubkeys)
                keys = trust.discoverKeys(prefix);
            }
            for (String location : keys) {
                List<PgpKey> found = trust.read(location, insecureAllowHttp, rkt().cwd());
                log().err("prefix: " + quote(shownPrefix) + "\nkey: " + quote(location));
                for (PgpKey k : found) {
                    out().println("gpg key fingerprint is: " + PgpKey.display(k.fingerprint()));
                    for (String sub : k.subkeyFingerprints()) {
                        out().println("    Subkey fingerprint: " + PgpKey.display(sub));
                    }
                    for (String id : k.identities()) {
                        out().println("\t" + id);
                    }
                }
                if (!skipFingerprintReview && !accepted(console)) {
                    log().err("not trusting " + quote(location));
                    continue;
                }
                out().println("Trusting " + quote(location) + " for prefix " + quote(shownPrefix)
                        + (skipFingerprintReview ? " without" : " after") + " fingerprint review.");
                for (PgpKey k : found) {
                    Path file = trust.trust(prefix, k, source(location));
                    out().println(prefix == null ? "Added root key at " + quote(file.toString())
                            : "Added key for prefix " + quote(prefix) + " at " + quote(file.toString()));
                }
            }
        }
        return 0;
    }

    private boolean accepted(Console console) throws KernelException {
        Boolean yes = Terminal.yesNo(console, out(), "Are you sure you want to trust this key (yes/no)?");
        if (yes == null) {
            throw new KernelException("error reviewing key: error reading input: EOF");
        }
        return yes;
    }

    /** A key file's location as the journal records it: an absolute path, or the URL. */
    private String source(String location) {
        return location.contains("://") ? location : rkt().cwd().resolve(location).normalize().toString();
    }

    private int list() throws Exception {
        PodJson.checkFormat(table.format);
        List<TrustedKey> trusted;
        try (Kernel kernel = kernel()) {
            trusted = kernel.trust().list();
        }
        if (!table.format.isEmpty()) {
            ArrayNode arr = PodJson.MAPPER.createArrayNode();
            for (TrustedKey k : trusted) {
                ObjectNode o = arr.addObject();
                o.put("fingerprint", k.fingerprint());
                if (k.root()) {
                    o.put("root", true);
                } else {
                    o.put("prefix", k.prefix());
                }
                o.put("origin", k.origin().name().toLowerCase(Locale.ROOT));
                o.put("status", k.status().name().toLowerCase(Locale.ROOT));
                ArrayNode ids = o.putArray("identities");
                k.identities().forEach(ids::add);
                o.put("path", k.path().toString());
            }
            out().println(PodJson.write(arr, table.format));
            return 0;
        }
        TabWriter t = new TabWriter();
        if (!table.noLegend) {
            t.row(columns("FINGERPRINT", "PREFIX", "ORIGIN", "PATH", "IDENTITIES"));
        }
        for (TrustedKey k : trusted) {
            t.row(columns(k.fingerprint(), k.root() ? "(root)" : k.prefix(), origin(k), k.path().toString(),
                    k.identities().isEmpty() ? "-" : String.join(", ", k.identities())));
        }
        out().print(t.render());
        return 0;
    }

    /** The row, without the PATH column unless {@code --full}. */
    private String[] columns(String fingerprint, String prefix, String origin, String path, String identities) {
        return table.full ? new String[] {fingerprint, prefix, origin, path, identities}
                : new String[] {fingerprint, prefix, origin, identities};
    }

    private static String origin(TrustedKey k) {
        String origin = k.origin().name().toLowerCase(Locale.ROOT);
        return switch (k.status()) {
            case TRUSTED -> origin;
            case MASKED -> origin + " (masked)";
            case MASK -> origin + " (mask)";
        };
    }

    private int remove() throws Exception {
        try (Kernel kernel = kernel()) {
            for (Keystore.Removal r : kernel.trust().remove(remove)) {
                String what = r.prefix() == null ? "root key" : "key for prefix " + quote(r.prefix());
                out().println(r.masked() ? "Masked system " + what + " with " + quote(r.path().toString())
                        : "Removed " + what + " at " + quote(r.path().toString()));
            }
        }
        return 0;
    }

    /** Go's %q for the plain strings rkt quotes. */
    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
