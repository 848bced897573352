package io.jenkins.plugins.multiarch.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The record's optional provenance (schema 1.2): written only when present, read back, checked on the controller. */
class RecordProvenanceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REPO = "registry.example:5000/onap/py-app";
    private static final Platform ARM64 = Platform.parse("linux/arm64");
    private static final Digest ATTESTATION = Digest.sha256("attestation".getBytes(StandardCharsets.UTF_8));

    private static ArchImageRecord record() {
        return new ArchImageRecord(
                ArchImageRecord.SCHEMA_VERSION,
                ImageReference.parse(REPO),
                List.of(ImageReference.parse(REPO + ":build-arm64v8-0123456789ab")),
                Digest.sha256("image".getBytes(StandardCharsets.UTF_8)),
                MediaType.OCI_MANIFEST,
                1234,
                ARM64,
                ARM64,
                false,
                "buildah",
                "1.28",
                "host",
                null,
                Instant.EPOCH,
                Instant.EPOCH.plusSeconds(5),
                null,
                List.of("APP_VERSION"),
                Naming.DIGEST,
                null,
                null);
    }

    private static ArchImageRecord.Attestation attestation(MediaType type, Digest digest, long size, String mode) {
        return new ArchImageRecord.Attestation(type, digest, size, mode);
    }

    private static RecordCheck.Expected expected() {
        return new RecordCheck.Expected(ImageReference.parse(REPO), List.of("1.0"), Naming.DIGEST, ARM64);
    }

    @Test
    void aRecordWithoutProvenanceHasNoProvenanceField() throws Exception {
        ArchImageRecord r = record();
        assertThat(r.provenance()).isNull();
        assertThat(r.provenanceDigest()).isEmpty();
        JsonNode json = JSON.readTree(r.toJson());
        assertThat(json.has("provenance")).isFalse();
        assertThat(json.path("schemaVersion").asText()).isEqualTo("1.2");
        assertThat(ArchImageRecord.fromJson(r.toJson(), "test").provenance()).isNull();
    }

    @Test
    void provenanceIsWrittenAndReadBack() throws Exception {
        ArchImageRecord r = record().withProvenance(attestation(MediaType.OCI_MANIFEST, ATTESTATION, 567, "max"));
        assertThat(r.provenanceDigest()).contains(ATTESTATION);
        JsonNode p = JSON.readTree(r.toJson()).path("provenance");
        assertThat(p.path("mediaType").asText()).isEqualTo(MediaType.OCI_MANIFEST.value());
        assertThat(p.path("digest").asText()).isEqualTo(ATTESTATION.toString());
        assertThat(p.path("size").asLong()).isEqualTo(567);
        assertThat(p.path("mode").asText()).isEqualTo("max");

        ArchImageRecord back = ArchImageRecord.fromJson(r.toJson(), "test");
        assertThat(back).isEqualTo(r);
        assertThat(RecordCheck.check(back, expected(), "agent a")).isSameAs(back);
    }

    @Test
    void aMalformedProvenanceFieldIsRefusedNamingTheRecord() throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(record().toJson());
        root.putObject("provenance")
                .put("mediaType", MediaType.OCI_MANIFEST.value())
                .put("digest", "sha256:zz");
        assertThatThrownBy(() -> ArchImageRecord.fromJson(JSON.writeValueAsBytes(root), "rec.json"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("rec.json");
        root.put("provenance", "sha256:" + "a".repeat(64));
        assertThatThrownBy(() -> ArchImageRecord.fromJson(JSON.writeValueAsBytes(root), "rec.json"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'provenance' that is not an object");
    }

    @Test
    void theControllerRefusesAProvenanceMultiarchNeverWrites() {
        Digest sha512 = Digest.compute(Digest.SHA512, "x".getBytes(StandardCharsets.UTF_8));
        List<ArchImageRecord.Attestation> forged = List.of(
                attestation(MediaType.OCI_MANIFEST, sha512, 567, "min"),
                attestation(MediaType.OCI_INDEX, ATTESTATION, 567, "min"),
                attestation(MediaType.DOCKER_MANIFEST, ATTESTATION, 567, "min"),
                attestation(MediaType.OCI_MANIFEST, ATTESTATION, 0, "min"),
                attestation(MediaType.OCI_MANIFEST, ATTESTATION, -1, "min"),
                attestation(MediaType.OCI_MANIFEST, ATTESTATION, 567, "off"),
                attestation(MediaType.OCI_MANIFEST, ATTESTATION, 567, "MAX"));
        for (ArchImageRecord.Attestation a : forged) {
            ArchImageRecord r = record().withProvenance(a);
            assertThatThrownBy(() -> RecordCheck.check(r, expected(), "agent a"))
                    .as(a.toString())
                    .isInstanceOf(VerificationException.class)
                    .hasMessageContaining("provenance")
                    .hasMessageContaining("agent a");
            // what an agent sends is JSON: the same refusal through fromAgent
            assertThatThrownBy(() -> RecordCheck.fromAgent(r.toJson(), expected(), "agent a"))
                    .isInstanceOf(VerificationException.class);
        }
        ArchImageRecord min = record().withProvenance(attestation(MediaType.OCI_MANIFEST, ATTESTATION, 567, "min"));
        assertThat(RecordCheck.fromAgent(min.toJson(), expected(), "agent a")).isEqualTo(min);
    }
}
