package io.jenkins.plugins.multiarch.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import org.junit.jupiter.api.Test;

class ProvenanceModeTest {

    @Test
    void parsesTheThreeModesAndDefaultsToMinAsBuildx() {
        assertThat(ProvenanceMode.parse("--provenance", "min")).isEqualTo(ProvenanceMode.MIN);
        assertThat(ProvenanceMode.parse("--provenance", " MAX ")).isEqualTo(ProvenanceMode.MAX);
        assertThat(ProvenanceMode.parse("--provenance", "off")).isEqualTo(ProvenanceMode.OFF);
        assertThat(ProvenanceMode.parse("--provenance", null)).isEqualTo(ProvenanceMode.MIN);
        assertThat(ProvenanceMode.parse("--provenance", "")).isEqualTo(ProvenanceMode.MIN);
        assertThat(ProvenanceMode.DEFAULT).isEqualTo(ProvenanceMode.MIN);
        assertThat(ProvenanceMode.OFF.enabled()).isFalse();
        assertThat(ProvenanceMode.MAX.value()).isEqualTo("max");
    }

    @Test
    void anotherValueIsBadInputNamingTheFieldAndTheChoices() {
        assertThatThrownBy(() -> ProvenanceMode.parse("provenance", "full"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("provenance 'full'")
                .hasMessageContaining("min")
                .hasMessageContaining("max")
                .hasMessageContaining("off")
                .satisfies(
                        e -> assertThat(((InvalidInputException) e).exitCode()).isEqualTo(2));
        // buildx's mode=max syntax is not ours: say so rather than guess
        assertThatThrownBy(() -> ProvenanceMode.parse("--provenance", "mode=max"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--provenance 'mode=max'");
    }
}
