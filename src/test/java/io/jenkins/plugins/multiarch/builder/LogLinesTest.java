package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Build output: chunks become lines, secrets are masked, the tail is bounded. */
class LogLinesTest {

    @Test
    void joinsChunksIntoLinesMasksSecretsAndKeepsTheLastTwenty() {
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        LogLines lines = new LogLines(log, "[p] ", List.of("s3cret", "s3cret-longer", ""));
        lines.accept("Step 1/2 : ARG TOKEN=s3cr");
        lines.accept("et-longer\r\nsecond s3cret line\n");
        for (int i = 0; i < 30; i++) {
            lines.accept("line " + i + "\n");
        }
        lines.accept("partial");
        assertThat(log.lines.get(0)).isEqualTo("INFO [p] Step 1/2 : ARG TOKEN=****");
        assertThat(log.lines.get(1)).isEqualTo("INFO [p] second **** line");
        assertThat(lines.tail()).hasSize(LogLines.TAIL).endsWith("partial").doesNotContain("line 0");
        assertThat(log.text()).doesNotContain("s3cret");
    }
}
