package io.jenkins.plugins.multiarch.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.PublishRequest;
import io.jenkins.plugins.multiarch.publish.PublishResult.Amendment.Change;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import io.jenkins.plugins.multiarch.testing.TestImages.Format;
import io.jenkins.plugins.multiarch.testing.TestImages.Pushed;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Records and a list to amend together ({@code push-manifest-list --records DIR --from REF}, {@code pushManifestList
 * from:} in a build that built a platform): the recorded platform is added to the list (required, as every recorded
 * one), the list options come from the caller's {@link PublishRequest.Builder} untouched, and the temporary tags the
 * registry could not delete are returned with the result.
 */
class PublishFromRecordsAmendTest {

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain();

    private RegistryClient client;
    private String ns;

    @BeforeEach
    void newClient() {
        client = new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(registry.get().hostPort())
                .build());
        ns = "ra" + UUID.randomUUID().toString().substring(0, 8);
    }

    private ImageReference ref(String s) {
        return ImageReference.parse(registry.get().hostPort() + "/" + s);
    }

    /** A record as a digest-naming build writes it: the image under its temporary tag in the target repository. */
    private ArchImageRecord record(String repo, String platform, String arch) {
        String tag = "build-" + arch + "-0123456789ab";
        Pushed p = registry.images().pushImage(repo, tag, platform, Format.OCI);
        return new ArchImageRecord(
                ArchImageRecord.SCHEMA_VERSION,
                ref(repo),
                List.of(ref(repo + ":" + tag)),
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
    void aRecordedPlatformIsAddedToTheAmendedListAndTheTagsLeftAreReturned() {
        String repo = ns + "/app";
        Pushed amd = registry.images().pushImage(repo, null, "linux/amd64", Format.OCI);
        registry.images().pushIndex(repo, "1.0", Format.OCI, List.of(TestImages.entry(amd)));
        ArchImageRecord arm = record(repo, "linux/arm64", "arm64v8");
        PublishRequest.Builder list =
                PublishRequest.builder().target(ref(repo)).tag("1.1").from(ref(repo + ":1.0"));

        RecordsPublished published = new PublishFromRecords(client, null).publishRecords(List.of(arm), list);

        assertThat(published.result().images())
                .extracting(c -> c.platform().toString())
                .containsExactly("linux/amd64", "linux/arm64");
        assertThat(published.result().amendment().changes())
                .extracting(Change::kind)
                .containsExactly(Change.Kind.KEPT, Change.Kind.ADDED);
        // distribution 2.8 cannot delete a tag alone: the temporary tag stays, and the caller is told which
        assertThat(published.temporaryTagsLeft()).containsExactly(arm.pushed().get(0));
        assertThat(list.requiredPlatforms())
                .as("the caller's builder is not changed")
                .isEmpty();

        RecordsPublished dry = new PublishFromRecords(client, null)
                .publishRecords(List.of(arm), list.copy().dryRun(true));
        assertThat(dry.temporaryTagsLeft()).as("a dry run deletes nothing").isEmpty();
    }
}
