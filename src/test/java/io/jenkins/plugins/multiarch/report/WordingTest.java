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

    @Test
    void sizesCarryBinaryUnits() {
        assertThat(Wording.size(0)).isEqualTo("0 B");
        assertThat(Wording.size(758)).isEqualTo("758 B");
        assertThat(Wording.size(1023)).isEqualTo("1023 B");
        assertThat(Wording.size(1024)).isEqualTo("1.0 KiB");
        assertThat(Wording.size(1536)).isEqualTo("1.5 KiB");
        assertThat(Wording.size(12_897_485)).isEqualTo("12.3 MiB");
        assertThat(Wording.size(3L * 1024 * 1024 * 1024)).isEqualTo("3.0 GiB");
        assertThat(Wording.size(-1)).isEqualTo("unknown");
    }

    @Test
    void shortDigestKeepsAlgorithmAndTwelveHexDigits() {
        String full = "sha256:0123456789abcdef" + "0".repeat(48);
        assertThat(Wording.shortDigest(full)).isEqualTo("sha256:0123456789ab");
        assertThat(Wording.shortDigest("sha256:abc")).isEqualTo("sha256:abc");
        assertThat(Wording.shortDigest("not a digest")).isEqualTo("not a digest");
        assertThat(Wording.shortDigest(null)).isEmpty();
    }
}
