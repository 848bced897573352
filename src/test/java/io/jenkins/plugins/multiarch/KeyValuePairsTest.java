package io.jenkins.plugins.multiarch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyValuePairsTest {

    @Test
    void keepsOrderSplitsAtTheFirstEqualsAndTheLastEntryOfAKeyWins() {
        assertThat(KeyValuePairs.parse("--label", List.of("b=1", "a=x=y", " c =", "b=2")))
                .containsExactly(
                        java.util.Map.entry("b", "2"), java.util.Map.entry("a", "x=y"), java.util.Map.entry("c", ""));
    }

    @Test
    void anEmptyNameNamesTheOptionAndPositionButNeverTheValue() {
        assertThatThrownBy(() -> KeyValuePairs.parse("--build-arg", List.of("A=1", "=hunter2")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--build-arg entry 2 of 2")
                .hasMessageContaining("empty name")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void anEntryWithoutEqualsIsNotEchoedEither() {
        assertThatThrownBy(() -> KeyValuePairs.parse("annotations", List.of("hunter2"), "org.example.key=value"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("annotations entry 1 of 1 has no '='")
                .hasMessageContaining("org.example.key=value")
                .hasMessageNotContaining("hunter2");
        assertThat(new InvalidInputException("x").exitCode()).isEqualTo(2);
    }

    @Test
    void nullsAreNoEntriesOrBadEntries() {
        assertThat(KeyValuePairs.parse("--label", null)).isEmpty();
        assertThatThrownBy(() -> KeyValuePairs.parse("--label", Arrays.asList((String) null)))
                .isInstanceOf(InvalidInputException.class);
    }
}
