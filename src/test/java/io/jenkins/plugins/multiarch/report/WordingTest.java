package io.jenkins.plugins.multiarch.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Lists read as words on the pages, and pull commands one per line. */
class WordingTest {

    @Test
    void aListReadsAsWordsWithoutBrackets() {
        assertThat(Wording.list(List.of("linux/s390x"))).isEqualTo("linux/s390x");
        assertThat(Wording.list(List.of("linux/s390x", "linux/ppc64le", "linux/riscv64")))
                .isEqualTo("linux/s390x, linux/ppc64le, linux/riscv64");
        assertThat(Wording.list(List.of())).isEmpty();
        assertThat(Wording.list(null)).isEmpty();
    }

    @Test
    void commandsAreOnePerLine() {
        List<String> commands = List.of(
                "docker pull registry.example/onap/py-app@sha256:" + "a".repeat(64),
                "docker pull --platform linux/amd64 registry.example/onap/py-app:1.0",
                "docker pull --platform linux/arm64 registry.example/onap/py-app:1.0");
        String text = Wording.lines(commands);
        assertThat(text.split("\n", -1)).containsExactlyElementsOf(commands);
        assertThat(Wording.lines(List.of("one"))).isEqualTo("one");
        assertThat(Wording.lines(List.of())).isEmpty();
        assertThat(Wording.lines(null)).isEmpty();
    }
}
