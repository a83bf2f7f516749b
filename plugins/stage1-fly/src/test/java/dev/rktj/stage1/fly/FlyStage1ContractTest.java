package dev.rktj.stage1.fly;

import dev.rktj.kernel.spi.Stage1;
import dev.rktj.kernel.spi.Stage1ContractTest;

/** Fly against the stage1 contract. */
class FlyStage1ContractTest extends Stage1ContractTest {

    @Override
    protected Stage1 newStage1() {
        return new FlyStage1();
    }
}
