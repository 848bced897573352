package io.jenkins.plugins.multiarch.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.builder.BuildFixtures;
import io.jenkins.plugins.multiarch.builder.BuildRequest;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The controller's check of what an agent sends back: the records a compromised agent could forge. */
class RecordCheckTest {

    private static final String REPO = "registry.example:5000/onap/py-app";
    private static final Digest DIGEST = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));
    private static final Platform ARM64 = Platform.parse("linux/arm64");

    private static ArchImageRecord record(
            String image, List<String> pushed, Platform platform, Platform requested, Naming naming, MediaType type) {
        return new ArchImageRecord(
                ArchImageRecord.SCHEMA_VERSION,
                ImageReference.parse(image),
                pushed.stream().map(ImageReference::parse).toList(),
                DIGEST,
                type,
                1234,
                platform,
                requested,
                false,
                "docker",
                "20.10",
                "host",
                "arm64-1",
                Instant.EPOCH,
                Instant.EPOCH.plusSeconds(5),
                null,
                List.of(),
                naming);
    }

    private static ArchImageRecord record(List<String> pushed, Naming naming) {
        return record(REPO, pushed, ARM64, ARM64, naming, MediaType.OCI_MANIFEST);
    }

    private static RecordCheck.Expected expected(Naming naming, Platform platform) {
        return new RecordCheck.Expected(ImageReference.parse(REPO), List.of("1.0", "latest"), naming, platform);
    }

    private static ArchImageRecord check(ArchImageRecord r, RecordCheck.Expected e) {
        return RecordCheck.check(r, e, "agent arm64-1");
    }

    @Test
    void whatTheBuildersWriteIsAccepted() {
        ArchImageRecord digest = record(List.of(REPO + ":build-arm64v8-0123456789ab"), Naming.DIGEST);
        assertThat(check(digest, expected(Naming.DIGEST, ARM64))).isSameAs(digest);
        assertThat(check(digest, expected(Naming.DIGEST, null)))
                .as("without a requested platform, the agent's own")
                .isSameAs(digest);
        ArchImageRecord repo = record(List.of(REPO + "-arm64v8:1.0", REPO + "-arm64v8:latest"), Naming.REPO_SUFFIX);
        assertThat(check(repo, expected(Naming.REPO_SUFFIX, ARM64))).isSameAs(repo);
        ArchImageRecord tag = record(List.of(REPO + ":1.0-arm64v8", REPO + ":latest-arm64v8"), Naming.TAG_SUFFIX);
        assertThat(check(tag, expected(Naming.TAG_SUFFIX, Platform.parse("linux/arm64/v8"))))
                .as("arm64/v8 and arm64 are one platform")
                .isSameAs(tag);
    }

    @Test
    void theExpectedTagsAreTheOnesBuildRequestPushesFor() {
        ImageReference withTag = ImageReference.parse(REPO + ":2.0");
        BuildRequest request = BuildRequest.builder()
                .context(BuildFixtures.offlineExample())
                .platform(ARM64)
                .image(withTag)
                .tags(List.of("latest", "2.0", "latest"))
                .naming(Naming.TAG_SUFFIX)
                .build();
        RecordCheck.Expected e =
                new RecordCheck.Expected(withTag, List.of("latest", "2.0", "latest"), Naming.TAG_SUFFIX, ARM64);
        assertThat(e.tags()).isEqualTo(request.tags());
        assertThat(e.image()).isEqualTo(request.image());
    }

    @Test
    void anotherImageOrRepositoryIsRefused() {
        ArchImageRecord other = record(
                "registry.example:5000/onap/other",
                List.of("registry.example:5000/onap/other:build-arm64v8-0123456789ab"),
                ARM64,
                ARM64,
                Naming.DIGEST,
                MediaType.OCI_MANIFEST);
        assertRefused(other, expected(Naming.DIGEST, ARM64), "is of registry.example:5000/onap/other");
        // the right image, but a pushed tag elsewhere: the controller would later delete it
        assertRefused(
                record(List.of("registry.example:5000/onap/other:build-arm64v8-0123456789ab"), Naming.DIGEST),
                expected(Naming.DIGEST, ARM64),
                "digest naming pushes one tag");
        assertRefused(
                record(List.of("evil.example/onap/py-app:build-arm64v8-0123456789ab"), Naming.DIGEST),
                expected(Naming.DIGEST, ARM64),
                "digest naming pushes one tag");
    }

    @Test
    void pushedReferencesOutsideTheNamingAreRefused() {
        assertRefused(
                record(List.of(REPO + ":1.0"), Naming.DIGEST),
                expected(Naming.DIGEST, ARM64),
                "not a temporary tag shape: the controller would delete the release tag");
        assertRefused(
                record(List.of(REPO + ":build-amd64-0123456789ab"), Naming.DIGEST),
                expected(Naming.DIGEST, ARM64),
                "another architecture's temporary tag");
        assertRefused(
                record(
                        List.of(REPO + ":build-arm64v8-0123456789ab", REPO + ":build-arm64v8-ba9876543210"),
                        Naming.DIGEST),
                expected(Naming.DIGEST, ARM64),
                "two temporary tags");
        assertRefused(
                record(List.of(REPO + "-arm64v8:1.0"), Naming.REPO_SUFFIX),
                expected(Naming.REPO_SUFFIX, ARM64),
                "a tag missing");
        assertRefused(
                record(List.of(REPO + "-arm64v8:1.0", REPO + "-arm64v8:latest", REPO + ":1.0"), Naming.REPO_SUFFIX),
                expected(Naming.REPO_SUFFIX, ARM64),
                "an extra reference");
        assertRefused(
                record(List.of(REPO + "-arm64v8@" + DIGEST), Naming.REPO_SUFFIX),
                expected(Naming.REPO_SUFFIX, ARM64),
                "a digest reference");
    }

    @Test
    void platformsAreHeldToTheUsersRules() {
        assertRefused(
                record(
                        REPO,
                        List.of(REPO + ":build-arm64v8-0123456789ab"),
                        new Platform("linux", "arm64 x", null, null, List.of()),
                        ARM64,
                        Naming.DIGEST,
                        MediaType.OCI_MANIFEST),
                expected(Naming.DIGEST, ARM64),
                "a platform with a space");
        assertRefused(
                record(
                        REPO,
                        List.of(REPO + ":build-arm64v8-0123456789ab"),
                        new Platform("linux", "arm64", null, "10.0\n<script>", List.of()),
                        ARM64,
                        Naming.DIGEST,
                        MediaType.OCI_MANIFEST),
                expected(Naming.DIGEST, ARM64),
                "an os.version that is not a word");
        assertRefused(
                record(
                        REPO,
                        List.of(REPO + ":build-arm64v8-0123456789ab"),
                        ARM64,
                        null,
                        Naming.DIGEST,
                        MediaType.OCI_MANIFEST),
                expected(Naming.DIGEST, ARM64),
                "no requested platform");
        assertRefused(
                record(List.of(REPO + ":build-arm64v8-0123456789ab"), Naming.DIGEST),
                expected(Naming.DIGEST, Platform.parse("linux/amd64")),
                "another platform than asked");
        assertRefused(
                record(
                        REPO,
                        List.of(REPO + ":build-arm64v8-0123456789ab"),
                        Platform.parse("linux/amd64"),
                        ARM64,
                        Naming.DIGEST,
                        MediaType.OCI_MANIFEST),
                expected(Naming.DIGEST, ARM64),
                "a confirmed platform that is not the requested one");
    }

    @Test
    void namingAndMediaTypeMustBeWhatWasAskedFor() {
        assertRefused(
                record(List.of(REPO + ":1.0-arm64v8", REPO + ":latest-arm64v8"), Naming.TAG_SUFFIX),
                expected(Naming.REPO_SUFFIX, ARM64),
                "another naming");
        assertRefused(
                record(
                        REPO,
                        List.of(REPO + ":build-arm64v8-0123456789ab"),
                        ARM64,
                        ARM64,
                        Naming.DIGEST,
                        MediaType.OCI_INDEX),
                expected(Naming.DIGEST, ARM64),
                "an index instead of one image");
    }

    @Test
    void jsonFromTheAgentIsBoundedAndParsed() {
        ArchImageRecord good = record(List.of(REPO + ":build-arm64v8-0123456789ab"), Naming.DIGEST);
        assertThat(RecordCheck.fromAgent(good.toJson(), expected(Naming.DIGEST, ARM64), "agent arm64-1"))
                .isEqualTo(good);
        assertThatThrownBy(() -> RecordCheck.fromAgent(
                        new byte[RecordCheck.MAX_RECORD_BYTES + 1], expected(Naming.DIGEST, ARM64), "agent arm64-1"))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("the record agent arm64-1 sent back is " + (RecordCheck.MAX_RECORD_BYTES + 1));
        assertThatThrownBy(() -> RecordCheck.fromAgent(
                        "{\"schemaVersion\":".getBytes(StandardCharsets.UTF_8),
                        expected(Naming.DIGEST, ARM64),
                        "agent arm64-1"))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("is not a record multiarch reads")
                .hasNoCause();
    }

    private static void assertRefused(ArchImageRecord r, RecordCheck.Expected e, String why) {
        assertThatThrownBy(() -> check(r, e))
                .as(why)
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("the record agent arm64-1 sent back")
                .hasMessageContaining("not stored, archived or published");
    }
}
