package dev.rktj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rktj.kernel.KernelException;
import dev.rktj.kernel.PullPolicy;
import dev.rktj.kernel.pod.AppSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunArgsTest {

    private static Rkt root() {
        Rkt r = new Rkt();
        r.cwd = Path.of("/work");
        return r;
    }

    @Test
    void parse_podFlagsThenAppsWithArgs_asRktGrammar() throws Exception {
        Rkt root = root();
        RunArgs r = RunArgs.parse(List.of("--stage1-name=fly", "--uuid-file-save", "u.txt", "--pull-policy=never",
                "a.aci", "--name=one", "--exec", "/bin/sh", "--", "-c", "echo hi", "---",
                "b.aci", "--user=1000", "--readonly-rootfs", "--debug"), root, false);
        assertEquals("fly", r.stage1);
        assertEquals(Path.of("/work/u.txt"), r.uuidFileSave);
        assertEquals(PullPolicy.NEVER, r.pullPolicy);
        assertEquals(2, r.apps.size());
        AppSpec a = r.apps.get(0);
        assertEquals("a.aci", a.image());
        assertEquals("one", a.name());
        assertEquals("/bin/sh", a.exec());
        assertEquals(List.of("-c", "echo hi"), a.args());
        AppSpec b = r.apps.get(1);
        assertEquals("1000", b.user());
        assertTrue(b.readOnlyRootfs());
        assertTrue(root.debug, "--debug after the subcommand is the global flag");
    }

    @Test
    void parse_argsRunToTheEndWithoutTripleDash() throws Exception {
        RunArgs r = RunArgs.parse(List.of("a.aci", "--", "--name=not-a-flag", "x"), root(), false);
        assertEquals(List.of("--name=not-a-flag", "x"), r.apps.get(0).args());
        assertEquals(null, r.apps.get(0).name());
    }

    @Test
    void parse_mistakes_oneLineEach() {
        assertEquals("unknown flag: --bogus",
                assertThrows(KernelException.class, () -> RunArgs.parse(List.of("--bogus", "a.aci"), root(), false)).getMessage());
        assertEquals("flag --exec must follow the image it applies to",
                assertThrows(KernelException.class, () -> RunArgs.parse(List.of("--exec=/x", "a.aci"), root(), false)).getMessage());
        assertEquals("flag --volume is not supported by rktj yet",
                assertThrows(KernelException.class, () -> RunArgs.parse(List.of("--volume=v,kind=empty", "a.aci"), root(), false)).getMessage());
        assertEquals("unknown flag: --interactive",
                assertThrows(KernelException.class, () -> RunArgs.parse(List.of("--interactive", "a.aci"), root(), true)).getMessage());
        assertEquals("flag needs an argument: --name",
                assertThrows(KernelException.class, () -> RunArgs.parse(List.of("a.aci", "--name"), root(), false)).getMessage());
    }

    @Test
    void parse_signatureAfterItsImage_andTheOldSkipVerifyFlag() throws Exception {
        Rkt root = root();
        RunArgs r = RunArgs.parse(List.of("--insecure-skip-verify", "a.aci", "--signature", "a.sig", "b.aci",
                "c.aci", "--signature=/keys/c.asc"), root, false);
        assertEquals(Path.of("/work/a.sig"), r.apps.get(0).signature());
        assertEquals(null, r.apps.get(1).signature());
        assertEquals(Path.of("/keys/c.asc"), r.apps.get(2).signature());
        assertTrue(root.insecureSkipVerify);
        KernelException e = assertThrows(KernelException.class, () -> RunArgs.parse(List.of("--signature=x", "a.aci"), root(), false));
        assertEquals("flag --signature must follow the image it applies to", e.getMessage());
    }
}
