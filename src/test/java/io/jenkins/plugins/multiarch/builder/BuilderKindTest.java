package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import org.junit.jupiter.api.Test;

class BuilderKindTest {

    @Test
    void theTwoBuildersAreKnownByTheirNamesInAnyCase() {
        assertThat(BuilderKind.parse("docker")).isEqualTo(BuilderKind.DOCKER);
        assertThat(BuilderKind.parse(" Buildah ")).isEqualTo(BuilderKind.BUILDAH);
        assertThat(BuilderKind.DOCKER.id()).isEqualTo(DockerEngineBuilder.NAME);
        assertThat(BuilderKind.BUILDAH.id()).isEqualTo(BuildahBuilder.NAME);
    }

    @Test
    void anUnknownOrEmptyNameIsRefusedWithTheChoices() {
        assertThatThrownBy(() -> BuilderKind.parse("kaniko"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("builder 'kaniko' is unknown: use docker (Docker Engine) or buildah");
        assertThatThrownBy(() -> BuilderKind.parse("")).hasMessageContaining("builder '' is unknown");
        assertThatThrownBy(() -> BuilderKind.parse(null)).hasMessageContaining("builder '' is unknown");
    }
}
