package dev.rktj.stage1.fly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import dev.rktj.kernel.plugin.PluginHost;
import dev.rktj.kernel.plugin.PluginJars;
import dev.rktj.kernel.spi.Stage1;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compiled plugin, packed as a jar, loads through the real host: PF4J's index and classes are there. */
class FlyPluginTest {

    @TempDir
    Path tmp;

    @Test
    void pluginHost_flyJar_findsFlyByBothNames() throws Exception {
        Path classes = Path.of(FlyStage1.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        PluginJars.pack(classes, tmp.resolve("plugins/fly.jar"),
                PluginJars.manifest("fly", FlyPlugin.class.getName()));

        try (PluginHost host = PluginHost.open(List.of(tmp.resolve("plugins")))) {
            Stage1 byName = host.stage1("fly");
            Stage1 byAppcName = host.stage1("coreos.com/rkt/stage1-fly");

            assertEquals(byName, byAppcName);
            assertEquals(FlyStage1.class.getName(), byName.getClass().getName());
            // the plugin's own class loader, not the test class path's copy
            assertNotSame(FlyStage1.class, byName.getClass());
        }
    }
}
