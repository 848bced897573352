package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests are checked before any build: files, the working directory, platforms, names, guards. */
class BuildRequestTest {

    @TempDir
    Path dir;

    private BuildRequest.Builder request(Path context) {
        return BuildRequest.builder()
                .context(context)
                .platform("linux/amd64")
                .image("127.0.0.1:5000/onap/py-app")
                .tag("1.0");
    }

    @Test
    void namingGivesTheSeedsNamesAndATemporaryTag() {
        ImageReference repo = ImageReference.parse("127.0.0.1:5000/onap/py-app");
        Platform arm = Platform.parse("linux/arm64");
        assertThat(Naming.REPO_SUFFIX.references(repo, List.of("1.0", "latest"), arm))
                .extracting(Object::toString)
                .containsExactly("127.0.0.1:5000/onap/py-app-arm64v8:1.0", "127.0.0.1:5000/onap/py-app-arm64v8:latest");
        assertThat(Naming.TAG_SUFFIX.references(repo, List.of("1.0"), Platform.parse("linux/amd64")))
                .extracting(Object::toString)
                .containsExactly("127.0.0.1:5000/onap/py-app:1.0-amd64");
        List<ImageReference> tmp = Naming.DIGEST.references(repo, List.of(), arm);
        assertThat(tmp).hasSize(1);
        assertThat(tmp.get(0).repository()).isEqualTo("onap/py-app");
        assertThat(tmp.get(0).tag().orElseThrow()).matches("build-arm64v8-[0-9a-f]{12}");
        assertThat(Naming.DIGEST.references(repo, List.of(), arm).get(0)).isNotEqualTo(tmp.get(0));
        assertThat(Naming.parse("repo-suffix")).isEqualTo(Naming.REPO_SUFFIX);
        assertThat(Naming.parse("TAG_SUFFIX")).isEqualTo(Naming.TAG_SUFFIX);
        assertThatThrownBy(() -> Naming.parse("arch"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("digest, repo-suffix or tag-suffix");
        assertThatThrownBy(() -> Naming.REPO_SUFFIX.references(repo, List.of(), arm))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--tag");
    }

    @Test
    void defaultsAndLabels() throws IOException {
        Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
        BuildRequest r = request(dir)
                .sourceRevision("abc123")
                .sourceUrl("https://git.example/app")
                .label("a", "b")
                .build();
        assertThat(r.dockerfile()).isEqualTo(dir.resolve("Dockerfile"));
        assertThat(r.pull()).isTrue();
        assertThat(r.naming()).isEqualTo(Naming.DIGEST);
        assertThat(r.effectiveLabels(Instant.parse("2026-01-02T03:04:05.678Z")))
                .containsEntry(BuildRequest.LABEL_CREATED, "2026-01-02T03:04:05Z")
                .containsEntry(BuildRequest.LABEL_REVISION, "abc123")
                .containsEntry(BuildRequest.LABEL_SOURCE, "https://git.example/app")
                .containsEntry("a", "b");
        r.checkFiles();
        BuildRequest arm = r.withPlatform(Platform.parse("linux/arm64"));
        assertThat(arm.platform()).hasToString("linux/arm64");
        assertThat(arm.tags()).containsExactly("1.0");
    }

    @Test
    void missingDockerfileIsOneClearError() {
        BuildRequest r = request(dir).build();
        assertThatThrownBy(r::checkFiles)
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("Dockerfile")
                .hasMessageContaining("does not exist")
                .hasMessageContaining("--file");
    }

    @Test
    void contextOutsideTheWorkingDirectoryIsRefused() throws IOException {
        Path work = Files.createDirectories(dir.resolve("a/b/work"));
        Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
        BuildRequest r = request(work.resolve("../..")).workspace(work).build();
        assertThatThrownBy(r::checkFiles)
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("outside the working directory");
        // a symbolic link inside the workspace that points out of it is no way around the rule
        Files.createSymbolicLink(work.resolve("escape"), dir);
        BuildRequest viaLink = request(work.resolve("escape")).workspace(work).build();
        assertThatThrownBy(viaLink::checkFiles)
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("outside the working directory");
        Files.writeString(work.resolve("Dockerfile"), "FROM scratch\n");
        request(work).workspace(work).build().checkFiles();
    }

    @Test
    void unknownPlatformsAndBadNamesFailEarly() {
        assertThatThrownBy(() -> request(dir).platform("linux").build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'linux'");
        assertThatThrownBy(() -> request(dir).platform("linux/sparc99").build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("linux/sparc99");
        assertThatThrownBy(() -> request(dir).tag("-bad").build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'-bad'");
        assertThatThrownBy(() -> request(dir).buildArg("1X", "v").build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'1X'");
        assertThatThrownBy(() -> request(dir)
                        .image("127.0.0.1:5000/app@sha256:" + "a".repeat(64))
                        .build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not a digest");
        assertThatThrownBy(() -> BuildRequest.builder()
                        .context(dir)
                        .platform("linux/amd64")
                        .image("r/app")
                        .naming(Naming.REPO_SUFFIX)
                        .build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--tag");
    }

    @Test
    void guardRefusesANonNativePlatformUnlessEmulationIsAllowed() {
        Platform host = Platform.parse("linux/amd64");
        BuildRequest arm = request(dir).platform("linux/arm64").build();
        assertThatThrownBy(
                        () -> HostArchitecture.guard(arm, host, "test", io.jenkins.plugins.multiarch.LogListener.NONE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--allow-emulation")
                .hasMessageContaining("linux/arm64");
        BuildRequest allowed =
                request(dir).platform("linux/arm64").allowEmulation(true).build();
        assertThat(HostArchitecture.guard(allowed, host, "test", io.jenkins.plugins.multiarch.LogListener.NONE))
                .isTrue();
        assertThat(HostArchitecture.guard(
                        request(dir).platform("linux/amd64").build(),
                        host,
                        "test",
                        io.jenkins.plugins.multiarch.LogListener.NONE))
                .isFalse();
        assertThat(HostArchitecture.isEmulated(Platform.parse("linux/arm64/v8"), Platform.fromUname("aarch64")))
                .isFalse();
        assertThat(HostArchitecture.fromEngine("linux", "x86_64")).hasToString("linux/amd64");
        assertThat(HostArchitecture.ofThisMachine().os()).isEqualTo("linux");
    }
}
