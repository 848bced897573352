package io.jenkins.plugins.multiarch.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import org.junit.jupiter.api.Test;

class MediaTypeTest {

    @Test
    void constantsHaveTheSpecValues() {
        assertThat(MediaType.DOCKER_MANIFEST.value()).isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
        assertThat(MediaType.DOCKER_MANIFEST_LIST.value())
                .isEqualTo("application/vnd.docker.distribution.manifest.list.v2+json");
        assertThat(MediaType.OCI_MANIFEST.value()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(MediaType.OCI_INDEX.value()).isEqualTo("application/vnd.oci.image.index.v1+json");
        assertThat(MediaType.DOCKER_CONFIG.value()).isEqualTo("application/vnd.docker.container.image.v1+json");
        assertThat(MediaType.OCI_CONFIG.value()).isEqualTo("application/vnd.oci.image.config.v1+json");
        assertThat(MediaType.DOCKER_LAYER_GZIP.value()).isEqualTo("application/vnd.docker.image.rootfs.diff.tar.gzip");
        assertThat(MediaType.OCI_LAYER_GZIP.value()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
        assertThat(MediaType.OCI_LAYER_TAR.value()).isEqualTo("application/vnd.oci.image.layer.v1.tar");
    }

    @Test
    void classification() {
        assertThat(MediaType.OCI_INDEX.isIndex()).isTrue();
        assertThat(MediaType.DOCKER_MANIFEST_LIST.isIndex()).isTrue();
        assertThat(MediaType.OCI_MANIFEST.isIndex()).isFalse();
        assertThat(MediaType.OCI_MANIFEST.isImageManifest()).isTrue();
        assertThat(MediaType.DOCKER_MANIFEST.isImageManifest()).isTrue();
        assertThat(MediaType.DOCKER_MANIFEST_LIST.isImageManifest()).isFalse();
        assertThat(MediaType.DOCKER_CONFIG.isImageManifest()).isFalse();
        assertThat(MediaType.DOCKER_CONFIG.isManifest()).isFalse();
        assertThat(MediaType.DOCKER_MANIFEST.isDocker()).isTrue();
        assertThat(MediaType.DOCKER_MANIFEST_LIST.isDocker()).isTrue();
        assertThat(MediaType.OCI_INDEX.isDocker()).isFalse();
        assertThat(MediaType.OCI_INDEX.isOci()).isTrue();
        assertThat(MediaType.DOCKER_MANIFEST_SCHEMA1_SIGNED.isSchema1()).isTrue();
        assertThat(MediaType.DOCKER_MANIFEST.isSchema1()).isFalse();
    }

    @Test
    void ofStripsParametersAndCase() {
        assertThat(MediaType.of("application/vnd.oci.image.index.v1+json; charset=utf-8"))
                .isEqualTo(MediaType.OCI_INDEX);
        assertThat(MediaType.of(" Application/VND.Docker.Distribution.Manifest.v2+json "))
                .isEqualTo(MediaType.DOCKER_MANIFEST);
        assertThat(MediaType.of("application/json;charset=UTF-8").value()).isEqualTo("application/json");
        assertThat(MediaType.OCI_INDEX.toString()).isEqualTo("application/vnd.oci.image.index.v1+json");
    }

    @Test
    void rejectsJunk() {
        assertThatThrownBy(() -> MediaType.of(""))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> MediaType.of(null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> MediaType.of("nonsense"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("type/subtype");
        assertThatThrownBy(() -> new MediaType("a/b; x=y")).isInstanceOf(InvalidInputException.class);
    }
}
