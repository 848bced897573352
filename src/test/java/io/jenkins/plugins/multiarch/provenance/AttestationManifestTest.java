package io.jenkins.plugins.multiarch.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The attestation manifest and its index entry, as BuildKit's attestation-storage document lays them out. */
class AttestationManifestTest {
    private static final ImageReference IMAGE = ImageReference.parse("registry.example/team/app:1.0");
    private static final Descriptor CHILD = new Descriptor(
            MediaType.OCI_MANIFEST,
            Digest.parse("sha256:23678f31b3b3586c4fb318aecfe64a96a1f0916ba8faf9b2be2abee63fa9e827"),
            1234,
            Platform.parse("linux/arm64"));

    private static ProvenanceStatement statement() {
        return ProvenanceStatement.of(
                IMAGE, CHILD.digest(), ProvenanceFacts.arm64().build(), ProvenanceMode.MIN);
    }

    @Test
    void theManifestHasTheCompatibilityConfigAndTheStatementAsItsOneLayer() {
        AttestationManifest a = AttestationManifest.of(statement(), CHILD, false);
        assertThat(a.layerBytes()).isEqualTo(statement().bytes());
        assertThat(a.layer().mediaType()).isEqualTo(MediaType.IN_TOTO);
        assertThat(a.layer().digest()).isEqualTo(Digest.sha256(a.layerBytes()));
        assertThat(a.layer().annotations())
                .containsEntry("in-toto.io/predicate-type", ProvenanceStatement.PREDICATE_TYPE);
        assertThat(new String(a.configBytes(), StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"architecture\":\"unknown\",\"os\":\"unknown\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
                                + "\"diff_ids\":[\"" + a.layer().digest() + "\"]}}");
        assertThat(a.config().mediaType()).isEqualTo(MediaType.OCI_CONFIG);
        assertThat(a.config().digest()).isEqualTo(Digest.sha256(a.configBytes()));
        ImageManifest m = (ImageManifest) a.manifest().parsed();
        assertThat(m.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
        assertThat(m.config()).isEqualTo(a.config());
        assertThat(m.layers()).containsExactly(a.layer());
        assertThat(m.subject()).isNull();
        // the same statement, the same manifest digest
        assertThat(AttestationManifest.of(statement(), CHILD, false).digest()).isEqualTo(a.digest());
    }

    @Test
    void theIndexEntryIsUnknownUnknownAndPointsAtTheChild() {
        AttestationManifest a = AttestationManifest.of(statement(), CHILD, false);
        Descriptor entry = a.indexEntry();
        assertThat(entry.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
        assertThat(entry.digest()).isEqualTo(a.digest());
        assertThat(entry.size()).isEqualTo(a.manifest().size());
        assertThat(entry.platform()).isEqualTo(Platform.UNKNOWN);
        assertThat(entry.annotations())
                .containsOnlyKeys("vnd.docker.reference.type", "vnd.docker.reference.digest")
                .containsEntry("vnd.docker.reference.type", "attestation-manifest")
                .containsEntry("vnd.docker.reference.digest", CHILD.digest().toString());
        assertThat(entry.isAttestation()).isTrue();
        assertThat(entry.attestedDigest()).contains(CHILD.digest());
        assertThat(AttestationManifest.entryFor(a.manifest().descriptor(), CHILD.digest()))
                .isEqualTo(entry);
    }

    @Test
    void withSubjectTheManifestNamesTheChildWithoutItsPlatform() {
        AttestationManifest a = AttestationManifest.of(statement(), CHILD, true);
        Descriptor subject = ((ImageManifest) a.manifest().parsed()).subject();
        assertThat(subject).isEqualTo(new Descriptor(CHILD.mediaType(), CHILD.digest(), CHILD.size()));
        assertThat(a.hasSubject()).isTrue();
        assertThat(a.digest())
                .isNotEqualTo(AttestationManifest.of(statement(), CHILD, false).digest());
    }

    @Test
    void aStatementAboutAnotherImageIsRefused() {
        Descriptor other = new Descriptor(
                MediaType.OCI_MANIFEST, Digest.sha256("other".getBytes(StandardCharsets.UTF_8)), 10, CHILD.platform());
        assertThatThrownBy(() -> AttestationManifest.of(statement(), other, false))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(CHILD.digest().toString())
                .hasMessageContaining(other.digest().toString());
    }
}
