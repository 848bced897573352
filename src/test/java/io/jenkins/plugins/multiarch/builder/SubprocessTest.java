package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.BuildException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The subprocess supervisor against real processes: exit codes, masking, the tail, filtering, interrupts. */
class SubprocessTest {

    private final Subprocess sh = new Subprocess("sh", "install a POSIX shell");

    @Test
    void givesTheExitCodeAndTheMaskedOutputAndShowsEachLine() {
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        LogLines lines = new LogLines(log, "[p] ", List.of("hunter2"));
        Subprocess.Result r = sh.run(
                List.of("sh", "-c", "echo one; echo \"secret $PW\" >&2; exit 3"), Map.of("PW", "hunter2"), lines, true);
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.output()).isEqualTo("one\nsecret ****\n");
        assertThat(shown(log)).containsExactly("[p] one", "[p] secret ****");
    }

    @Test
    void aFilterHidesOrRewritesLinesButTheTailKeepsThem() {
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        LogLines lines = new LogLines(log, "", List.of());
        Subprocess.Result r = sh.run(
                List.of("sh", "-c", "echo keep; echo drop; echo change"),
                Map.of(),
                lines,
                line -> line.equals("drop") ? null : line.equals("change") ? "changed" : line);
        assertThat(shown(log)).containsExactly("keep", "changed");
        assertThat(r.output()).isEqualTo("keep\ndrop\nchange\n");
    }

    @Test
    void aToolThatIsNotInstalledSaysHowToInstallIt() {
        assertThatThrownBy(() -> new Subprocess("nosuch", "install nosuch (apt-get install nosuch)")
                        .run(List.of("/nonexistent/nosuch", "bud"), Map.of(), quiet(), false))
                .isInstanceOf(BuildException.class)
                .hasMessageContaining("cannot run /nonexistent/nosuch")
                .hasMessageContaining("apt-get install nosuch");
    }

    @Test
    void theTailIsBoundedToWholeLines() {
        Subprocess.OutputTail tail = new Subprocess.OutputTail(11);
        tail.append("aaaa");
        tail.append("bbbb");
        tail.append("cccc");
        assertThat(tail.text()).isEqualTo("bbbb\ncccc\n");
    }

    @Test
    void theSubcommandIsTheFirstWordAfterTheGlobalOptions() {
        assertThat(Subprocess.subcommand(List.of("buildah", "--storage-driver", "vfs", "--root", "/r", "bud", "-t")))
                .isEqualTo("bud");
        assertThat(Subprocess.subcommand(List.of("buildah", "--log-level=debug", "push")))
                .isEqualTo("push");
    }

    @Test
    void anInterruptStopsTheProcessAndItsChildrenAndKeepsTheFlag() throws Exception {
        String marker = "sleep " + (600 + System.nanoTime() % 97);
        BuildFixtures.Interruptible<Subprocess.Result> run = new BuildFixtures.Interruptible<>(
                "subprocess-interrupt",
                () -> sh.run(List.of("sh", "-c", marker + "; echo never"), Map.of(), quiet(), true));
        assertThat(BuildFixtures.awaitProcess(marker, Duration.ofSeconds(20))).isTrue();
        Duration took = run.interruptAndJoin(Duration.ofSeconds(10));
        assertThat(took).isNotNull().isLessThan(Duration.ofSeconds(6));
        assertThat(run.failure()).isInstanceOf(BuildException.class).hasMessageContaining("build interrupted: sh");
        assertThat(run.interruptFlagAfter()).isTrue();
        assertThat(BuildFixtures.awaitNoProcess(marker, Duration.ofSeconds(5))).isEmpty();
    }

    /** The lines without the level the capturing listener puts first. */
    private static List<String> shown(BuildFixtures.CapturingListener log) {
        return log.lines.stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList();
    }

    private static LogLines quiet() {
        return new LogLines(io.jenkins.plugins.multiarch.LogListener.NONE, "", List.of());
    }
}
