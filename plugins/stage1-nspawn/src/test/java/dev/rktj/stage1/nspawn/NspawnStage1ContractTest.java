package dev.rktj.stage1.nspawn;

import dev.rktj.kernel.spi.Stage1;
import dev.rktj.kernel.spi.Stage1ContractTest;

/** nspawn against the stage1 contract. */
class NspawnStage1ContractTest extends Stage1ContractTest {

    @Override
    protected Stage1 newStage1() {
        return new NspawnStage1();
    }
}
