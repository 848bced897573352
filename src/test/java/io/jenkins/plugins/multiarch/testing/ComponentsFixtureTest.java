package io.jenkins.plugins.multiarch.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.testing.Components.Component;
import org.junit.jupiter.api.Test;

/** The environment .ci/run prepares: under CI every component must be there. */
class ComponentsFixtureTest {

    @Test
    void everyComponentIsThereUnderCi() {
        Components.require(Component.values()); // fails under CI=true, skips with the reason elsewhere
        for (Component c : Component.values()) {
            assertThat(Components.problem(c)).as(c.name()).isEmpty();
        }
        assertThat(Components.elfMachine(Components.busyboxArm64())).isEqualTo(0xB7);
        assertThat(Components.elfMachine(Components.busyboxAmd64())).isEqualTo(0x3E);
        assertThat(Components.dockerHost()).startsWith("unix://");
    }

    @Test
    void aMissingToolIsReportedWithItsName() {
        assertThat(Components.onPath("surely-no-such-tool-xyz")).isEmpty();
        assertThat(Components.onPath("sh")).isPresent();
    }
}
