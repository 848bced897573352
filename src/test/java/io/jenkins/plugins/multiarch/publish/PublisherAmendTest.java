package io.jenkins.plugins.multiarch.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.PublishResult.Amendment.Change;
import io.jenkins.plugins.multiarch.publish.PublishResult.Child;
import io.jenkins.plugins.multiarch.publish.PublishResult.TagOutcome.Status;
import io.jenkins.plugins.multiarch.publish.PublishResult.Transfer;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.report.Reports;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.Exec;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import io.jenkins.plugins.multiarch.testing.TestImages.Format;
import io.jenkins.plugins.multiarch.testing.TestImages.IndexEntry;
import io.jenkins.plugins.multiarch.testing.TestImages.Pushed;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Amending a published list ({@code --from}) against a real distribution 2.8 registry: entries kept byte for byte
 * with their attestations, added, replaced (with attestations), removed; the refusals; a single image as the base;
 * a base in another repository (mounted); idempotent re-runs; skopeo reads the amended list back.
 */
class PublisherAmendTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain();

    private RegistryClient client;
    private final List<String> log = new ArrayList<>();
    private String ns;

    @BeforeEach
    void newClient() {
        client = new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(registry.get().hostPort())
                .retries(3, Duration.ofSeconds(20))
                .build());
        ns = "amend" + UUID.randomUUID().toString().substring(0, 8);
    }

    private TestImages images() {
        return registry.images();
    }

    private ImageReference ref(String repoAndTagOrDigest) {
        return ImageReference.parse(registry.get().hostPort() + "/" + repoAndTagOrDigest);
    }

    private PublishResult publish(PublishRequest.Builder request) {
        return new Publisher(client, (level, message) -> log.add(level + " " + message)).publish(request.build());
    }

    /**
     * A list as another tool writes it, which this project's codec would not reproduce: fields in buildx's order
     * (annotations before platform), a field this project does not model, spaces and line breaks, and Go's
     * {@code \u003c} escape.
     */
    private static String imageEntry(Pushed image, String os, String arch) {
        return "{ \"mediaType\" : \"" + image.mediaType() + "\", \"digest\": \"" + image.digest() + "\", \"size\": "
                + image.size() + ", \"annotations\": {\"org.example.note\": \"built \\u003c today\"}, "
                + "\"x-extra\": [1, 2], \"platform\": {\"os\": \"" + os + "\", \"architecture\": \"" + arch + "\"} }";
    }

    private static String attestationEntry(IndexEntry attestation) {
        return "{\"mediaType\":\"" + attestation.mediaType() + "\",\"digest\":\"" + attestation.digest()
                + "\",\"size\":" + attestation.size() + ",\"annotations\":{\"vnd.docker.reference.digest\":\""
                + attestation.annotations().get("vnd.docker.reference.digest")
                + "\",\"vnd.docker.reference.type\":\"attestation-manifest\"},"
                + "\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}";
    }

    private Pushed pushList(String repo, String tag, List<String> entries) {
        String index = "{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"" + TestImages.OCI_INDEX
                + "\",\n  \"manifests\": [\n    " + String.join(",\n    ", entries) + "\n  ]\n}\n";
        return images().pushManifest(repo, tag, TestImages.OCI_INDEX, index.getBytes(StandardCharsets.UTF_8));
    }

    /** amd64 and arm64 images, each with an attestation, in {@code repo}, listed as {@code repo:1.0}. */
    private record Base(Pushed amd, Pushed arm, IndexEntry amdAtt, IndexEntry armAtt, List<String> entries) {}

    private Base base(String repo) {
        Pushed amd = images().pushImage(repo, null, "linux/amd64", Format.OCI);
        Pushed arm = images().pushImage(repo, null, "linux/arm64", Format.OCI);
        IndexEntry amdAtt = images().attestationFor(repo, amd);
        IndexEntry armAtt = images().attestationFor(repo, arm);
        List<String> entries = List.of(
                imageEntry(amd, "linux", "amd64"),
                imageEntry(arm, "linux", "arm64"),
                attestationEntry(amdAtt),
                attestationEntry(armAtt));
        pushList(repo, "1.0", entries);
        return new Base(amd, arm, amdAtt, armAtt, entries);
    }

    private static String text(PublishResult result) {
        return new String(result.listBytes(), StandardCharsets.UTF_8);
    }

    private static List<String> digests(PublishResult result) {
        return result.children().stream().map(c -> c.digest().toString()).toList();
    }

    @Test
    void keepsTheEntriesByteForByteWithTheirAttestationsAndAddsAPlatform() throws Exception {
        String repo = ns + "/app";
        Base base = base(repo);
        Pushed s390x = images().pushImage(repo, "s390x", "linux/s390x", Format.OCI);

        PublishResult result = publish(PublishRequest.builder()
                .target(ref(repo))
                .tag("1.1")
                .from(ref(repo + ":1.0"))
                .source(new SourceSpec(ref(s390x.byTag()), Platform.parse("linux/s390x"), null)));

        // every entry of the base, exactly as it was written (order of fields, spaces, escapes, unknown field)
        for (String entry : base.entries()) {
            assertThat(text(result)).contains(entry);
        }
        assertThat(result.mediaType()).isEqualTo(MediaType.OCI_INDEX);
        assertThat(digests(result))
                .containsExactly(
                        base.amd().digest(),
                        base.arm().digest(),
                        s390x.digest(),
                        base.amdAtt().digest(),
                        base.armAtt().digest());
        Change.Kind[] kinds =
                result.amendment().changes().stream().map(Change::kind).toArray(Change.Kind[]::new);
        assertThat(kinds).containsExactly(Change.Kind.KEPT, Change.Kind.KEPT, Change.Kind.ADDED);
        assertThat(result.amendment().fromDigest().toString())
                .isEqualTo(images().getManifest(repo, "1.0").digestHeader());
        // the registry holds exactly these bytes, and the list parses as a list of three platforms
        TestImages.Fetched stored = images().getManifest(repo, "1.1");
        assertThat(stored.body()).isEqualTo(result.listBytes());
        JsonNode list = JSON.readTree(stored.body());
        assertThat(list.get("manifests")).hasSize(5);
        assertThat(list.get("manifests")
                        .get(0)
                        .get("annotations")
                        .get("org.example.note")
                        .asText())
                .isEqualTo("built < today");

        String table = Reports.publishTable(result);
        assertThat(table).contains("2 kept, 1 added, 0 replaced, 0 removed").contains("CHANGE");
        JsonNode json = JSON.readTree(Reports.publishJson(result));
        assertThat(json.get("amendment").get("added").get(0).get("platform").asText())
                .isEqualTo("linux/s390x");
        assertThat(json.get("amendment").get("kept")).hasSize(2);
        assertThat(json.get("children").get(3).get("change").asText()).isEqualTo("kept");

        // a peer reads the amended list: skopeo gets the same bytes
        Components.require(Components.Component.SKOPEO);
        Exec.Result raw = Exec.run(
                        List.of(
                                "skopeo",
                                "inspect",
                                "--raw",
                                "--tls-verify=false",
                                "docker://" + registry.get().hostPort() + "/" + repo + ":1.1"),
                        Duration.ofSeconds(60))
                .orThrow();
        assertThat(raw.stdout().getBytes(StandardCharsets.UTF_8)).isEqualTo(result.listBytes());
    }

    @Test
    void aPlatformInBothIsGivenTwiceUnlessReplacedAndReplacingSwapsItsAttestations() {
        String repo = ns + "/app";
        Base base = base(repo);
        Pushed newAmd = images().pushImage(repo, null, "linux/amd64", Format.OCI);
        IndexEntry newAtt = images().attestationFor(repo, newAmd);
        Pushed source = images().pushIndex(repo, "new", Format.OCI, List.of(TestImages.entry(newAmd), newAtt));

        PublishRequest.Builder request = PublishRequest.builder()
                .target(ref(repo))
                .tag("1.1")
                .from(ref(repo + ":1.0"))
                .source(SourceSpec.of(ref(source.byTag())));
        assertThatThrownBy(() -> publish(request))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("linux/amd64 is given twice")
                .hasMessageContaining("--replace");
        assertThat(images().getManifest(repo, "1.1").status())
                .as("no tag moved")
                .isEqualTo(404);

        PublishResult replaced = publish(request.replace(true));
        assertThat(digests(replaced))
                .containsExactly(
                        newAmd.digest(),
                        base.arm().digest(),
                        newAtt.digest(),
                        base.armAtt().digest());
        assertThat(text(replaced))
                .doesNotContain(base.amd().digest())
                .doesNotContain(base.amdAtt().digest())
                .contains(base.entries().get(1))
                .contains(base.entries().get(3));
        Change amd = replaced.amendment().of(Change.Kind.REPLACED).get(0);
        assertThat(amd.digest().toString()).isEqualTo(newAmd.digest());
        assertThat(amd.replaced().toString()).isEqualTo(base.amd().digest());
        Child attestation = replaced.children().get(2);
        assertThat(attestation.attestation()).isTrue();
        assertThat(attestation.attestationFor().toString()).isEqualTo(newAmd.digest());
    }

    @Test
    void removeDropsAnEntryWithItsAttestationsAndRemovingEveryEntryIsRefused() {
        String repo = ns + "/app";
        Base base = base(repo);

        PublishResult result = publish(PublishRequest.builder()
                .target(ref(repo))
                .tag("1.1")
                .from(ref(repo + ":1.0"))
                .remove(Platform.parse("linux/arm64")));
        assertThat(digests(result))
                .containsExactly(base.amd().digest(), base.amdAtt().digest());
        assertThat(text(result))
                .contains(base.entries().get(0))
                .contains(base.entries().get(2));
        assertThat(result.amendment().of(Change.Kind.REMOVED))
                .singleElement()
                .satisfies(c ->
                        assertThat(c.digest().toString()).isEqualTo(base.arm().digest()));
        assertThat(Reports.publishTable(result)).contains("removed linux/arm64");

        // the same removal again: nothing left to remove, the tag already holds the list
        PublishResult again = publish(PublishRequest.builder()
                .target(ref(repo))
                .tag("1.1")
                .from(ref(repo + ":1.1"))
                .remove(Platform.parse("linux/arm64")));
        assertThat(again.listDigest()).isEqualTo(result.listDigest());
        assertThat(again.tags()).extracting(PublishResult.TagOutcome::status).containsExactly(Status.UNCHANGED);

        assertThatThrownBy(() -> publish(PublishRequest.builder()
                        .target(ref(repo))
                        .tag("empty")
                        .from(ref(repo + ":1.0"))
                        .remove(Platform.parse("linux/amd64"))
                        .remove(Platform.parse("linux/arm64"))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("leaves an empty list");
        assertThat(images().getManifest(repo, "empty").status()).isEqualTo(404);
    }

    @Test
    void aMissingListIsAVerificationFailureAndTheRulesNeedFrom() {
        String repo = ns + "/app";
        assertThatThrownBy(() -> publish(
                        PublishRequest.builder().target(ref(repo)).tag("1.1").from(ref(repo + ":nope"))))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("does not exist")
                .satisfies(e -> assertThat(((MultiarchException) e).exitCode()).isEqualTo(3));
        Pushed amd = images().pushImage(repo, "amd", "linux/amd64", Format.OCI);
        assertThatThrownBy(() -> PublishRequest.builder()
                        .target(ref(repo))
                        .tag("1")
                        .source(SourceSpec.of(ref(amd.byTag())))
                        .remove(Platform.parse("linux/arm64"))
                        .build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--from");
        assertThatThrownBy(() -> PublishRequest.parseFrom(registry.get().hostPort() + "/" + repo))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no tag or digest");
        assertThatThrownBy(() -> PublishRequest.builder()
                        .target(ref(repo))
                        .tag("1")
                        .from(ref(repo + ":1.0"))
                        .source(new SourceSpec(ref(amd.byTag()), Platform.parse("linux/amd64"), null))
                        .remove(Platform.parse("linux/amd64"))
                        .build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--replace instead of --remove");
    }

    @Test
    void aSingleImageInAnotherRepositoryIsAOneEntryListAndIsMountedIntoTheTarget() {
        Pushed amd = images().pushImage(ns + "/app-amd64", "1.0", "linux/amd64", Format.DOCKER);
        Pushed arm = images().pushImage(ns + "/app-arm64v8", "1.0", "linux/arm64/v8", Format.DOCKER);

        PublishResult result = publish(PublishRequest.builder()
                .target(ref(ns + "/app"))
                .tag("1.0")
                .from(ref(amd.byTag()))
                .source(new SourceSpec(ref(arm.byTag()), Platform.parse("linux/arm64"), null)));

        assertThat(result.mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST_LIST);
        assertThat(result.images()).extracting(c -> c.digest().toString()).containsExactly(amd.digest(), arm.digest());
        assertThat(result.children()).allMatch(c -> c.transfer() == Transfer.MOUNTED);
        assertThat(result.amendment().changes())
                .extracting(Change::kind)
                .containsExactly(Change.Kind.KEPT, Change.Kind.ADDED);
        assertThat(client.headManifest(ref(ns + "/app@" + amd.digest()))).isPresent();
    }

    @Test
    void aListInAnotherRepositoryIsMountedAndAReRunLeavesTheTagsUnchanged() {
        Base base = base(ns + "/staging");
        Pushed s390x = images().pushImage(ns + "/staging", "s390x", "linux/s390x", Format.OCI);
        PublishRequest.Builder request = PublishRequest.builder()
                .target(ref(ns + "/app"))
                .tag("1.0")
                .tag("latest")
                .from(ref(ns + "/staging:1.0"))
                .source(new SourceSpec(ref(ns + "/" + "staging:s390x"), Platform.parse("linux/s390x"), null));

        PublishResult first = publish(request);
        assertThat(first.children()).allMatch(c -> c.transfer() == Transfer.MOUNTED);
        for (String digest : List.of(base.amd().digest(), base.armAtt().digest(), s390x.digest())) {
            assertThat(client.headManifest(ref(ns + "/app@" + digest)))
                    .as("child %s is in the target", digest)
                    .isPresent();
        }
        assertThat(first.tags()).extracting(PublishResult.TagOutcome::status).containsOnly(Status.CREATED);

        PublishResult second = publish(request);
        assertThat(second.listDigest()).isEqualTo(first.listDigest());
        assertThat(second.tags()).extracting(PublishResult.TagOutcome::status).containsOnly(Status.UNCHANGED);

        // amending the published list in place with what it has already (--replace): the same list again
        PublishResult inPlace = publish(PublishRequest.builder()
                .target(ref(ns + "/app"))
                .tag("1.0")
                .from(ref(ns + "/app:1.0"))
                .replace(true)
                .source(new SourceSpec(ref(ns + "/" + "staging:s390x"), Platform.parse("linux/s390x"), null)));
        assertThat(inPlace.listDigest()).isEqualTo(first.listDigest());
        assertThat(inPlace.tags()).extracting(PublishResult.TagOutcome::status).containsOnly(Status.UNCHANGED);
        assertThat(Digest.sha256(images().getManifest(ns + "/app", "latest").body()))
                .isEqualTo(first.listDigest());
    }
}
