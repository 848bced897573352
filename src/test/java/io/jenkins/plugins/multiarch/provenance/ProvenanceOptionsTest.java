package io.jenkins.plugins.multiarch.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.builder.BuildFixtures;
import io.jenkins.plugins.multiarch.builder.BuildRequest;
import io.jenkins.plugins.multiarch.image.Platform;
import org.junit.jupiter.api.Test;

/** What a build is told about provenance: off by default in a request, the CLI's builder id, the id rules. */
class ProvenanceOptionsTest {

    @Test
    void offHasNoBuilderAndWritesNothing() {
        assertThat(ProvenanceOptions.off().mode()).isEqualTo(ProvenanceMode.OFF);
        assertThat(ProvenanceOptions.off().enabled()).isFalse();
        assertThat(ProvenanceOptions.cli(ProvenanceMode.OFF)).isEqualTo(ProvenanceOptions.off());
    }

    @Test
    void theCliNamesItsBuilderAndOneInvocationPerRun() {
        ProvenanceOptions a = ProvenanceOptions.cli(ProvenanceMode.MAX);
        ProvenanceOptions b = ProvenanceOptions.cli(null);
        assertThat(a.mode()).isEqualTo(ProvenanceMode.MAX);
        assertThat(b.mode()).as("the default, as buildx's").isEqualTo(ProvenanceMode.MIN);
        assertThat(a.builderId()).isEqualTo(BuildFacts.CLI_BUILDER_ID);
        assertThat(a.invocationId()).isNotBlank().isNotEqualTo(b.invocationId());
        assertThat(a.nodeLabel()).isNull();
    }

    @Test
    void theBuilderIdIsAnAbsoluteUriWithoutCredentials() {
        assertThat(new ProvenanceOptions(ProvenanceMode.MIN, " https://ci.example/job/app/7/ ", "7", " arm64 "))
                .isEqualTo(new ProvenanceOptions(ProvenanceMode.MIN, "https://ci.example/job/app/7/", "7", "arm64"));
        assertThatThrownBy(() -> new ProvenanceOptions(ProvenanceMode.MIN, "job/app/7", "7", null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("absolute URI");
        assertThatThrownBy(() -> new ProvenanceOptions(ProvenanceMode.MIN, "https://bob:s3cret@ci.example/", "7", null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("user info")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> new ProvenanceOptions(ProvenanceMode.MAX, null, "7", null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("builderId");
        assertThatThrownBy(() -> new ProvenanceOptions(ProvenanceMode.MAX, BuildFacts.CLI_BUILDER_ID, " ", null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("invocationId");
        assertThat(new ProvenanceOptions(ProvenanceMode.OFF, null, null, null).enabled())
                .as("off needs no builder")
                .isFalse();
    }

    @Test
    void aRequestIsWithoutProvenanceUnlessToldAndKeepsItPerPlatform() {
        BuildRequest.Builder b = BuildRequest.builder()
                .context(BuildFixtures.offlineExample())
                .platform("linux/amd64")
                .image("registry.example/app");
        assertThat(b.build().provenance()).isEqualTo(ProvenanceOptions.off());
        ProvenanceOptions cli = ProvenanceOptions.cli(ProvenanceMode.MIN);
        BuildRequest withProvenance = b.provenance(cli).build();
        assertThat(withProvenance.withPlatform(Platform.parse("linux/arm64")).provenance())
                .as("every platform of one build shares one invocation")
                .isEqualTo(cli);
    }
}
