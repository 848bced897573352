package io.jenkins.plugins.multiarch.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.PublishRequest;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import io.jenkins.plugins.multiarch.publish.SourceSpec;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages.Format;
import io.jenkins.plugins.multiarch.testing.TestImages.Pushed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The one records-to-publish path, against a real distribution registry. */
class PublishFromRecordsTest {

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain();

    private RegistryClient client;
    private final List<String> log = new ArrayList<>();
    private String ns;

    @BeforeEach
    void newClient() {
        client = new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(registry.get().hostPort())
                .build());
        ns = "r" + UUID.randomUUID().toString().substring(0, 8);
    }

    private PublishFromRecords useCase() {
        return new PublishFromRecords(client, (level, message) -> log.add(level + " " + message));
    }

    /** A record as a digest-naming build writes it: the image under its temporary tag in the target repository. */
    private ArchImageRecord record(String repo, String platform, String arch) {
        String tag = "build-" + arch + "-0123456789ab";
        Pushed p = registry.images().pushImage(repo, tag, platform, Format.OCI);
        return new ArchImageRecord(
                ArchImageRecord.SCHEMA_VERSION,
                ImageReference.parse(registry.get().hostPort() + "/" + repo),
                List.of(ImageReference.parse(registry.get().hostPort() + "/" + repo + ":" + tag)),
                Digest.parse(p.digest()),
                MediaType.OCI_MANIFEST,
                p.size(),
                Platform.parse(platform),
                Platform.parse(platform),
                false,
                "buildah",
                "1.28",
                "host",
                null,
                Instant.now(),
                Instant.now(),
                null,
                List.of(),
                Naming.DIGEST);
    }

    @Test
    void aSourceOfARecordPointsByDigestAndClaimsTheReadBackPlatform() {
        ArchImageRecord r = record(ns + "/app", "linux/arm64", "arm64v8");
        SourceSpec spec = PublishFromRecords.sourceOf(r);
        assertThat(spec.reference()).isEqualTo(r.image().withDigest(r.digest()));
        assertThat(spec.claimedPlatform()).isEqualTo(Platform.parse("linux/arm64"));
        assertThat(spec.origin()).endsWith("/" + ns + "/app/linux-arm64.json");
    }

    @Test
    void publishesTheTargetsRecordsLeavesOtherImagesOutAndTriesToRemoveTheTemporaryTags() {
        ArchImageRecord amd = record(ns + "/app", "linux/amd64", "amd64");
        ArchImageRecord arm = record(ns + "/app", "linux/arm64", "arm64v8");
        ArchImageRecord other = record(ns + "/other", "linux/s390x", "s390x");
        ImageReference target = ImageReference.parse(registry.get().hostPort() + "/" + ns + "/app");

        PublishResult dry = useCase()
                .publishRecords(
                        List.of(amd, arm, other),
                        PublishRequest.builder()
                                .target(target)
                                .tags(List.of("1.0"))
                                .dryRun(true))
                .result();
        assertThat(dry.images()).hasSize(2);
        assertThat(log).anyMatch(l -> l.contains("left out record") && l.contains(ns + "/other"));
        int mark = registry.get().mark();
        assertThat(log).noneMatch(l -> l.contains("temporary tag"));

        PublishResult result = useCase()
                .publish(
                        List.of(
                                new PublishFromRecords.Recorded(amd, "record amd.json"),
                                new PublishFromRecords.Recorded(arm, "record arm.json")),
                        PublishRequest.builder().target(target).tags(List.of("1.0")))
                .result();
        assertThat(result.images())
                .extracting(c -> c.platform().toString())
                .containsExactlyInAnyOrder("linux/amd64", "linux/arm64");
        // distribution 2.8 cannot delete a tag alone: a DELETE per temporary tag was tried, both stay, one line says so
        assertThat(registry.get().requestsSince(mark))
                .filteredOn(r -> r.method().equals("DELETE"))
                .hasSize(2)
                .allMatch(r -> r.path().contains("/manifests/build-"));
        assertThat(log).anyMatch(l -> l.contains("left 2 temporary tag(s) in place"));
        assertThat(client.headManifest(amd.pushed().get(0)))
                .as("the image is never deleted")
                .isPresent();
    }

    @Test
    void everyRecordedPlatformIsRequiredUnlessOptional() {
        ArchImageRecord amd = record(ns + "/app", "linux/amd64", "amd64");
        // a record whose image claims arm64 but is amd64: a required platform cannot be left out quietly
        ArchImageRecord wrong = new ArchImageRecord(
                amd.schemaVersion(),
                amd.image(),
                amd.pushed(),
                amd.digest(),
                amd.mediaType(),
                amd.size(),
                Platform.parse("linux/arm64"),
                Platform.parse("linux/arm64"),
                false,
                amd.builder(),
                amd.builderVersion(),
                amd.host(),
                amd.agent(),
                amd.startedAt(),
                amd.finishedAt(),
                null,
                List.of(),
                Naming.DIGEST);
        ImageReference target = amd.image();
        assertThatThrownBy(() -> useCase()
                        .publishRecords(
                                List.of(amd, wrong),
                                PublishRequest.builder().target(target).tags(List.of("1.0"))))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("linux/arm64");
        assertThat(client.headManifest(target.withTag("1.0"))).as("no list").isEmpty();
    }
}
