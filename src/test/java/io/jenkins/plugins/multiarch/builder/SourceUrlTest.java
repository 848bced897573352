package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SourceUrlTest {

    @Test
    void userInfoQueryAndFragmentAreStripped() {
        assertThat(SourceUrl.forLabel("https://ci-bot:ghp_S3cret@github.com/onap/py-app.git"))
                .isEqualTo("https://github.com/onap/py-app.git");
        assertThat(SourceUrl.forLabel(
                        "https://oauth2:p@ss@w0rd@gitlab.example:8443/group/app.git?private_token=x#main"))
                .isEqualTo("https://gitlab.example:8443/group/app.git");
        assertThat(SourceUrl.forLabel("HTTPS://token@host")).isEqualTo("https://host");
        assertThat(SourceUrl.forLabel("ssh://git:pw@gerrit.onap.org:29418/ci-management"))
                .isEqualTo("ssh://gerrit.onap.org:29418/ci-management");
    }

    @Test
    void scpLikeAndLocalFormsKeepTheirShape() {
        assertThat(SourceUrl.forLabel("git@github.com:onap/py-app.git")).isEqualTo("github.com:onap/py-app.git");
        assertThat(SourceUrl.forLabel("user:secret@host:repo.git")).isEqualTo("host:repo.git");
        assertThat(SourceUrl.forLabel("/srv/git/app.git")).isEqualTo("/srv/git/app.git");
        assertThat(SourceUrl.forLabel("file:///srv/git/app.git")).isEqualTo("file:///srv/git/app.git");
        assertThat(SourceUrl.forLabel("https://github.com/onap/py-app@v1.git"))
                .as("an '@' in the path is not user info")
                .isEqualTo("https://github.com/onap/py-app@v1.git");
    }

    @Test
    void nothingUsefulGivesNoLabel() {
        assertThat(SourceUrl.forLabel(null)).isNull();
        assertThat(SourceUrl.forLabel("  ")).isNull();
        assertThat(SourceUrl.forLabel("?token=x")).isNull();
    }

    @Test
    void theCleanedUrlIsWhatTheLabelCarries() {
        BuildRequest request = BuildRequest.builder()
                .context(BuildFixtures.offlineExample())
                .platform("linux/amd64")
                .image("127.0.0.1:5000/onap/app")
                .sourceUrl(SourceUrl.forLabel("https://u:t0ken@example.com/org/repo.git?x=1"))
                .build();
        assertThat(request.effectiveLabels(Instant.EPOCH))
                .containsEntry(BuildRequest.LABEL_SOURCE, "https://example.com/org/repo.git")
                .allSatisfy((k, v) -> assertThat(v).doesNotContain("t0ken"));
    }
}
