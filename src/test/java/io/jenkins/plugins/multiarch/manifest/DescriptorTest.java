package io.jenkins.plugins.multiarch.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DescriptorTest {

    private static final Digest D = Digest.parse("sha256:" + "a".repeat(64));

    @Test
    void annotationsAreSortedImmutableCopies() {
        Map<String, String> ann = new HashMap<>(Map.of("zeta", "1", "alpha", "2", "mid", "3"));
        Descriptor d = new Descriptor(MediaType.OCI_MANIFEST, D, 10, null, ann, null, "");
        ann.put("new", "x");
        assertThat(d.annotations().keySet()).containsExactly("alpha", "mid", "zeta");
        assertThat(d.urls()).isEmpty();
        assertThat(d.artifactType()).isNull();
        assertThatThrownBy(() -> d.annotations().put("a", "b")).isInstanceOf(UnsupportedOperationException.class);
        Map<String, String> withNull = new HashMap<>();
        withNull.put("k", null);
        assertThatThrownBy(() -> d.withAnnotations(withNull)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void withers() {
        Descriptor d = new Descriptor(MediaType.OCI_MANIFEST, D, 10);
        assertThat(d.platform()).isNull();
        assertThat(d.platformOptional()).isEmpty();
        Descriptor p = d.withPlatform(Platform.parse("linux/s390x"));
        assertThat(p.platformOptional()).contains(Platform.parse("linux/s390x"));
        assertThat(p.withMediaType(MediaType.DOCKER_MANIFEST).mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
        assertThat(p.withAnnotations(Map.of("a", "b")).annotations()).containsExactly(Map.entry("a", "b"));
        assertThat(d).isEqualTo(new Descriptor(MediaType.OCI_MANIFEST, D, 10, null, Map.of(), List.of(), null));
    }

    @Test
    void attestationDetection() {
        Descriptor att = new Descriptor(
                MediaType.OCI_MANIFEST,
                D,
                566,
                Platform.UNKNOWN,
                Map.of(
                        Descriptor.ANNOTATION_REFERENCE_TYPE,
                        "attestation-manifest",
                        Descriptor.ANNOTATION_REFERENCE_DIGEST,
                        "sha256:" + "b".repeat(64)),
                List.of(),
                null);
        assertThat(att.isAttestation()).isTrue();
        assertThat(att.attestedDigest()).contains(Digest.parse("sha256:" + "b".repeat(64)));
        Descriptor broken = att.withAnnotations(Map.of(Descriptor.ANNOTATION_REFERENCE_DIGEST, "nonsense"));
        assertThat(broken.isAttestation()).isFalse();
        assertThat(broken.attestedDigest()).isEmpty();
    }
}
