package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Temporary-tag removal asks the registry to delete only what digest naming pushed for the record's own platform
 * in the target repository: a record naming other tags or repositories (edited, or from a compromised agent)
 * cannot turn the clean-up into a delete of someone else's tag. Judged by the registry's own access log.
 */
class TemporaryTagsTest {

    private static ArchImageRecord record(ImageReference image, Platform platform, List<ImageReference> pushed) {
        return new ArchImageRecord(
                ArchImageRecord.SCHEMA_VERSION,
                image,
                pushed,
                Digest.sha256(new byte[] {1}),
                MediaType.OCI_MANIFEST,
                100,
                platform,
                platform,
                false,
                "buildah",
                "1.28",
                "host",
                "agent",
                Instant.parse("2026-12-01T10:00:00Z"),
                Instant.parse("2026-12-01T10:01:00Z"),
                null,
                List.of(),
                Naming.DIGEST);
    }

    @Test
    void onlyTheRecordsOwnTemporaryTagInTheTargetRepositoryIsDeleted() {
        try (RegistryServer registry = RegistryServer.plain()) {
            TestImages images = TestImages.forRegistry(registry);
            String own = "build-arm64v8-0123456789ab";
            String otherArch = "build-amd64-0123456789ab";
            for (String tag : List.of(own, otherArch, "1.0")) {
                images.pushImage("team/app", tag, "linux/arm64", TestImages.Format.OCI);
            }
            images.pushImage("team/other", own, "linux/arm64", TestImages.Format.OCI);
            ImageReference target = ImageReference.parse(registry.ref("team/app"));
            ArchImageRecord arm = record(
                    target,
                    Platform.parse("linux/arm64"),
                    List.of(
                            ImageReference.parse(registry.ref("team/app:" + own)),
                            ImageReference.parse(registry.ref("team/app:" + otherArch)),
                            ImageReference.parse(registry.ref("team/app:1.0")),
                            ImageReference.parse(registry.ref("team/other:" + own))));
            RegistryClient client = new RegistryClient(RegistrySettings.builder()
                    .insecureRegistry(registry.hostPort())
                    .build());

            int mark = registry.mark();
            List<ImageReference> left = TemporaryTags.remove(client, target, List.of(arm), LogListener.NONE);

            List<String> deletes = registry.requestsSince(mark).stream()
                    .filter(r -> r.method().equals("DELETE"))
                    .map(RegistryServer.Request::path)
                    .toList();
            assertThat(deletes).allSatisfy(p -> assertThat(p).isEqualTo("/v2/team/app/manifests/" + own));
            assertThat(deletes).isNotEmpty();
            // distribution 2.8 cannot delete a tag alone: the one candidate stays, and is reported
            assertThat(left).containsExactly(ImageReference.parse(registry.ref("team/app:" + own)));
        }
    }
}
