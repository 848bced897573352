package io.jenkins.plugins.multiarch.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.BuildException;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The message of a partly failed build: what failed, what was pushed and where, what to run next. */
class PartialBuildTest {

    private static final ImageReference IMAGE = ImageReference.parse("127.0.0.1:5000/onap/py-app");

    private static ArchImageRecord amd64() {
        ImageReference repo = ImageReference.parse("127.0.0.1:5000/onap/py-app-amd64");
        return new ArchImageRecord(
                ArchImageRecord.SCHEMA_VERSION,
                IMAGE,
                List.of(repo.withTag("1"), repo.withTag("latest")),
                Digest.sha256(new byte[] {1}),
                MediaType.DOCKER_MANIFEST,
                1,
                Platform.parse("linux/amd64"),
                Platform.parse("linux/amd64"),
                false,
                "docker",
                null,
                "host",
                null,
                Instant.now(),
                Instant.now(),
                null,
                List.of(),
                Naming.REPO_SUFFIX);
    }

    @Test
    void namesEveryFailureWhatWasPushedAndHowToPublishIt() {
        BuildException arm = new BuildException("building for linux/arm64 failed; nothing was pushed", List.of("l1"));
        BuildException s390x = new BuildException("building for linux/s390x failed", List.of());
        MultiarchException e = new PartialBuild(
                        List.of(
                                new PartialBuild.Failure(Platform.parse("linux/arm64"), arm),
                                new PartialBuild.Failure(Platform.parse("linux/s390x"), s390x)),
                        List.of(amd64()),
                        List.of(Platform.parse("linux/ppc64le")),
                        Path.of("/tmp/records"))
                .toException(IMAGE, List.of("1", "latest"));
        assertThat(e).isInstanceOf(BuildException.class);
        assertThat(((BuildException) e).logTail()).containsExactly("l1");
        assertThat(e.getMessage())
                .startsWith("linux/arm64 failed: building for linux/arm64 failed; nothing was pushed\n"
                        + "linux/s390x failed: building for linux/s390x failed\n"
                        + "Pushed before the failure: linux/amd64 as 127.0.0.1:5000/onap/py-app-amd64:1, "
                        + "127.0.0.1:5000/onap/py-app-amd64:latest (sha256:")
                .contains(". Not built: linux/ppc64le. No list was published.")
                .contains("push-manifest-list --image 127.0.0.1:5000/onap/py-app --tag 1 --tag latest --records "
                        + Path.of("/tmp/records")
                        + " --optional linux/arm64 --optional linux/s390x --optional linux/ppc64le");
        // the log tail once, at the end
        assertThat(e.getMessage().indexOf("Last lines of the build log"))
                .isEqualTo(e.getMessage().lastIndexOf("Last lines"));
    }

    @Test
    void keepsTheFirstFailuresKindAndSaysWhenNothingWasPushed() {
        MultiarchException e = new PartialBuild(
                        List.of(new PartialBuild.Failure(
                                Platform.parse("linux/arm/v6"), new VerificationException("variant v7, not v6"))),
                        List.of(),
                        List.of(),
                        null)
                .toException(IMAGE, List.of("1"));
        assertThat(e).isInstanceOf(VerificationException.class);
        assertThat(e.exitCode()).isEqualTo(3);
        assertThat(e.getMessage())
                .isEqualTo("linux/arm/v6 failed: variant v7, not v6\nNo platform was pushed. No list was published.");
    }
}
