package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The creation time: SOURCE_DATE_EPOCH, else the checked-out commit's time (real git), else now. */
class CreationTimeTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void sourceDateEpochWins() throws Exception {
        Path repo = commit(dir.resolve("repo"), "2021-06-01T12:00:00Z");
        Instant given = CreationTime.parseSourceDateEpoch(" 1600000000 ");
        assertThat(CreationTime.orNow(given, repo, NOW, quiet())).isEqualTo(Instant.ofEpochSecond(1600000000L));
    }

    @Test
    void elseTheCommitTimeOfTheCheckedOutRevision() throws Exception {
        Path repo = commit(dir.resolve("repo"), "2021-06-01T12:00:00Z");
        Files.createDirectories(repo.resolve("sub"));
        assertThat(CreationTime.orNow(null, repo.resolve("sub"), NOW, quiet()))
                .as("a context inside the checkout")
                .isEqualTo(Instant.parse("2021-06-01T12:00:00Z"));
    }

    @Test
    void elseNow() throws IOException {
        Path plain = Files.createDirectories(dir.resolve("plain"));
        // a folder outside any checkout: GIT_CEILING_DIRECTORIES is not ours to set, so /tmp must not be in one
        assertThat(CreationTime.orNow(null, plain, NOW, quiet())).isEqualTo(NOW);
    }

    @Test
    void aSourceDateEpochThatIsNotSecondsIsRefused() {
        assertThatThrownBy(() -> CreationTime.parseSourceDateEpoch("2021-06-01"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("SOURCE_DATE_EPOCH '2021-06-01' is not a time");
        assertThatThrownBy(() -> CreationTime.parseSourceDateEpoch("-5")).isInstanceOf(InvalidInputException.class);
        assertThat(CreationTime.parseSourceDateEpoch("")).isNull();
        assertThat(BuildRequest.builder()
                        .context(dir)
                        .platform("linux/amd64")
                        .image("127.0.0.1:5000/a/b")
                        .sourceDateEpoch("86400")
                        .build()
                        .sourceDateEpoch())
                .isEqualTo(Instant.ofEpochSecond(86400));
    }

    static Path commit(Path repo, String when) throws IOException, InterruptedException {
        Files.createDirectories(repo);
        Files.writeString(repo.resolve("f"), "x");
        git(repo, when, "init", "-q");
        git(repo, when, "add", "f");
        git(repo, when, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "c");
        return repo;
    }

    private static void git(Path repo, String when, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", repo.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("GIT_COMMITTER_DATE", when);
        pb.environment().put("GIT_AUTHOR_DATE", when);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("git %s: %s", cmd, out).isZero();
    }

    private static LogLines quiet() {
        return new LogLines(LogListener.NONE, "", List.of());
    }
}
