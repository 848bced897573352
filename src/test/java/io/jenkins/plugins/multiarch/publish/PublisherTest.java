package io.jenkins.plugins.multiarch.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.PublishResult.TagOutcome.Status;
import io.jenkins.plugins.multiarch.publish.PublishResult.Transfer;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import io.jenkins.plugins.multiarch.testing.TestImages.Format;
import io.jenkins.plugins.multiarch.testing.TestImages.Pushed;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The publisher against a real distribution 2.8 registry over plain HTTP: every publish scenario of issue 2. */
class PublisherTest {
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
        ns = "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    private Publisher publisher() {
        return new Publisher(client, (level, message) -> log.add(level + " " + message));
    }

    private ImageReference ref(String repoAndTagOrDigest) {
        return ImageReference.parse(registry.get().hostPort() + "/" + repoAndTagOrDigest);
    }

    private SourceSpec source(Pushed pushed, String claimed) {
        return new SourceSpec(ref(pushed.byDigest()), claimed == null ? null : Platform.parse(claimed), null);
    }

    private JsonNode readBack(String repoAndTag) throws IOException {
        TestImages.Fetched fetched = registry.images()
                .getManifest(
                        repoAndTag.substring(0, repoAndTag.lastIndexOf(':')),
                        repoAndTag.substring(repoAndTag.lastIndexOf(':') + 1));
        assertThat(fetched.status()).isEqualTo(200);
        return JSON.readTree(fetched.body());
    }

    @Test
    void sameRepositoryDockerChildrenBecomeADockerListUnderSeveralTags() throws IOException {
        String repo = ns + "/app";
        Pushed amd = registry.images().pushImage(repo, "amd64", "linux/amd64", Format.DOCKER);
        Pushed arm = registry.images().pushImage(repo, "arm64", "linux/arm64/v8", Format.DOCKER);

        PublishResult result = publisher()
                .publish(PublishRequest.builder()
                        .target(ref(repo))
                        .tag("1.0")
                        .tag("latest")
                        .source(source(arm, "linux/arm64"))
                        .source(source(amd, "linux/amd64"))
                        .requirePlatform(Platform.parse("linux/amd64"))
                        .requirePlatform(Platform.parse("linux/arm64"))
                        .build());

        assertThat(result.mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST_LIST);
        assertThat(result.images())
                .extracting(c -> c.platform().toString())
                .containsExactly("linux/amd64", "linux/arm64/v8"); // sorted, variant from the config
        assertThat(result.children()).allMatch(c -> c.transfer() == Transfer.PRESENT);
        assertThat(result.tags())
                .extracting(PublishResult.TagOutcome::status)
                .containsExactly(Status.CREATED, Status.CREATED);
        for (String tag : List.of("1.0", "latest")) {
            TestImages.Fetched fetched = registry.images().getManifest(repo, tag);
            assertThat(Digest.sha256(fetched.body())).isEqualTo(result.listDigest());
            assertThat(fetched.digestHeader()).isEqualTo(result.listDigest().toString());
        }
        JsonNode list = readBack(repo + ":1.0");
        assertThat(list.get("manifests")).hasSize(2);
        assertThat(list.get("manifests").get(0).get("digest").asText()).isEqualTo(amd.digest());
        assertThat(list.get("manifests")
                        .get(1)
                        .get("platform")
                        .get("architecture")
                        .asText())
                .isEqualTo("arm64");
        assertThat(result.requestCount()).isPositive();
    }

    @Test
    void crossRepositoryChildrenInOnapNamingAreMountedIntoTheTarget() {
        // The seed's naming: onap/py-app-amd64 and onap/py-app-arm64v8 -> onap/py-app
        Pushed amd = registry.images().pushImage(ns + "/onap/py-app-amd64", "1.0", "linux/amd64", Format.DOCKER);
        Pushed arm = registry.images().pushImage(ns + "/onap/py-app-arm64v8", "1.0", "linux/arm64", Format.DOCKER);
        String target = ns + "/onap/py-app";

        PublishResult result = publisher()
                .publish(PublishRequest.builder()
                        .target(ref(target))
                        .tag("1.0")
                        .source(new SourceSpec(ref(amd.byTag()), Platform.parse("linux/amd64"), null))
                        .source(new SourceSpec(ref(arm.byTag()), Platform.parse("linux/arm64/v8"), null))
                        .build());

        assertThat(result.children()).allMatch(c -> c.transfer() == Transfer.MOUNTED);
        // every child and every blob is now in the target repository: the list points at nothing missing
        for (Pushed child : List.of(amd, arm)) {
            TestImages.Fetched fetched = registry.images().getManifest(target, child.digest());
            assertThat(fetched.status()).isEqualTo(200);
            assertThat(Digest.sha256(fetched.body()).toString()).isEqualTo(child.digest());
        }
        assertThat(registry.images().getManifest(target, "1.0").status()).isEqualTo(200);
        // a second publish finds them present and moves nothing
        int mark = registry.get().mark();
        PublishResult again = publisher()
                .publish(PublishRequest.builder()
                        .target(ref(target))
                        .tag("1.0")
                        .source(new SourceSpec(ref(amd.byTag()), Platform.parse("linux/amd64"), null))
                        .source(new SourceSpec(ref(arm.byTag()), Platform.parse("linux/arm64/v8"), null))
                        .build());
        assertThat(again.listDigest()).isEqualTo(result.listDigest());
        assertThat(again.children()).allMatch(c -> c.transfer() == Transfer.PRESENT);
        assertThat(again.tags().get(0).status()).isEqualTo(Status.UNCHANGED);
        assertThat(registry.get().requestsSince(mark))
                .noneMatch(r -> r.method().equals("PUT") || r.method().equals("POST"));
    }

    @Test
    void eightPlatformsInOciGiveADeterministicOciIndex() {
        String repo = ns + "/eight";
        List<String> platforms = List.of(
                "linux/s390x",
                "linux/riscv64",
                "linux/ppc64le",
                "linux/386",
                "linux/arm/v6",
                "linux/arm/v7",
                "linux/arm64",
                "linux/amd64");
        List<SourceSpec> sources = new ArrayList<>();
        for (String p : platforms) {
            Pushed pushed = registry.images().pushImage(repo, p.replace('/', '-'), p, Format.OCI);
            sources.add(source(pushed, p));
        }
        PublishRequest request = PublishRequest.builder()
                .target(ref(repo))
                .tag("multi")
                .sources(sources)
                .annotation("org.opencontainers.image.source", "https://example.org/app")
                .build();
        PublishResult result = publisher().publish(request);

        assertThat(result.mediaType()).isEqualTo(MediaType.OCI_INDEX);
        assertThat(result.images())
                .extracting(c -> c.platform().toString())
                .containsExactly(
                        "linux/386",
                        "linux/amd64",
                        "linux/arm/v6",
                        "linux/arm/v7",
                        "linux/arm64",
                        "linux/ppc64le",
                        "linux/riscv64",
                        "linux/s390x");
        // Same sources in another order: byte-identical list (deterministic), nothing rewritten.
        List<SourceSpec> reversed = new ArrayList<>(sources);
        java.util.Collections.reverse(reversed);
        int mark = registry.get().mark();
        PublishResult again = publisher()
                .publish(PublishRequest.builder()
                        .target(ref(repo))
                        .tag("multi")
                        .sources(reversed)
                        .annotation("org.opencontainers.image.source", "https://example.org/app")
                        .build());
        assertThat(again.listDigest()).isEqualTo(result.listDigest());
        assertThat(registry.get().requestsSince(mark)).noneMatch(r -> r.method().equals("PUT"));
        assertThat(new String(registry.images().getManifest(repo, "multi").body()))
                .contains("\"org.opencontainers.image.source\"");
    }

    @Test
    void requestBudgetIsTwoPerChildPlusTagsAndEveryRequestIsCounted() {
        // same repository: 2 per child (manifest + config), per tag a HEAD (checklist case 11) and a PUT
        String repo = ns + "/budget";
        List<SourceSpec> same = new ArrayList<>();
        for (String p : List.of("linux/amd64", "linux/arm64", "linux/s390x", "linux/ppc64le")) {
            same.add(source(registry.images().pushImage(repo, p.replace('/', '-'), p, Format.DOCKER), p));
        }
        PublishRequest request = PublishRequest.builder()
                .target(ref(repo))
                .tag("1.0")
                .tag("latest")
                .sources(same)
                .build();
        int mark = registry.get().mark();
        PublishResult first = publisher().publish(request);
        assertThat(registry.get().requestsSince(mark)).hasSize(2 * 4 + 2 * 2);
        assertThat(first.requestCount()).isEqualTo(2 * 4 + 2 * 2);
        mark = registry.get().mark();
        PublishResult again = publisher().publish(request);
        assertThat(registry.get().requestsSince(mark)).hasSize(2 * 4 + 2);
        assertThat(again.requestCount()).isEqualTo(2 * 4 + 2);

        // per-platform repositories (the seed's naming): plus one mount per blob and one PUT per child, once
        List<SourceSpec> cross = new ArrayList<>();
        for (String p : List.of("linux/amd64", "linux/arm64", "linux/s390x", "linux/ppc64le")) {
            Pushed pushed = registry.images()
                    .pushImage(ns + "/budget-" + Platform.parse(p).dockerLibraryArch(), "1.0", p, Format.DOCKER);
            cross.add(new SourceSpec(ref(pushed.byTag()), Platform.parse(p), null));
        }
        PublishRequest crossRequest = PublishRequest.builder()
                .target(ref(ns + "/budget-all"))
                .tag("1.0")
                .tag("latest")
                .sources(cross)
                .build();
        mark = registry.get().mark();
        publisher().publish(crossRequest);
        List<RegistryServer.Request> requests = registry.get().requestsSince(mark);
        assertThat(requests.stream().filter(r -> r.method().equals("POST"))).hasSize(4 * 2); // config + 1 layer each
        assertThat(requests.stream()
                        .filter(r -> r.method().equals("HEAD") && r.path().contains("/blobs/")))
                .isEmpty();
        assertThat(requests).hasSize(2 * 4 + 4 * 2 + 4 + 2 * 2);
        mark = registry.get().mark();
        publisher().publish(crossRequest);
        assertThat(registry.get().requestsSince(mark)).hasSize(2 * 4 + 2);
    }

    @Test
    void aLayerSharedByChildrenInOtherRepositoriesIsMountedOnceAndEveryChildWaitsForIt() {
        // the same layer under four per-arch repositories (as a shared COPY gives): mounted once, and no child's
        // manifest is put before that mount is complete (MANIFEST_BLOB_UNKNOWN otherwise)
        byte[] shared = TestImages.randomBytes(64 * 1024);
        List<SourceSpec> cross = new ArrayList<>();
        for (String p : List.of("linux/amd64", "linux/arm64", "linux/s390x", "linux/ppc64le")) {
            Pushed pushed = registry.images()
                    .pushImage(
                            ns + "/shared-" + Platform.parse(p).dockerLibraryArch(),
                            "1.0",
                            p,
                            Format.OCI,
                            List.of(shared),
                            java.util.Map.of());
            cross.add(new SourceSpec(ref(pushed.byTag()), Platform.parse(p), null));
        }
        int mark = registry.get().mark();
        PublishResult result = publisher()
                .publish(PublishRequest.builder()
                        .target(ref(ns + "/shared"))
                        .tag("1.0")
                        .sources(cross)
                        .build());
        assertThat(result.images()).hasSize(4);
        assertThat(registry.get().requestsSince(mark).stream()
                        .filter(r -> r.method().equals("POST")))
                .hasSize(4 + 1);
        for (PublishResult.Child child : result.images()) {
            assertThat(registry.images()
                            .getManifest(ns + "/shared", child.digest().toString())
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void autoFormatPicksOciWhenAnyChildIsOci() {
        String repo = ns + "/mixed";
        Pushed amd = registry.images().pushImage(repo, "a", "linux/amd64", Format.DOCKER);
        Pushed arm = registry.images().pushImage(repo, "b", "linux/arm64", Format.OCI);
        PublishResult result = publisher()
                .publish(PublishRequest.builder()
                        .target(ref(repo))
                        .tag("1")
                        .source(source(amd, null))
                        .source(source(arm, null))
                        .build());
        assertThat(result.mediaType()).isEqualTo(MediaType.OCI_INDEX);
        assertThatThrownBy(() -> publisher()
                        .publish(PublishRequest.builder()
                                .target(ref(repo))
                                .tag("2")
                                .format(ListFormat.DOCKER)
                                .source(source(amd, null))
                                .source(source(arm, null))
                                .build()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("format docker needs Docker v2 children")
                .hasMessageContaining("linux/arm64");
        assertThat(registry.images().getManifest(repo, "2").status()).isEqualTo(404);
    }

    @Test
    void childrenThatAreIndexesContributeTheirEntriesAndAttestations() {
        String repo = ns + "/idx";
        Pushed amd = registry.images().pushImage(repo, null, "linux/amd64", Format.OCI);
        Pushed arm = registry.images().pushImage(repo, null, "linux/arm64", Format.OCI);
        TestImages.IndexEntry att = registry.images().attestationFor(repo, amd);
        Pushed amdIndex =
                registry.images().pushIndex(repo, "amd-only", Format.OCI, List.of(TestImages.entry(amd), att));
        Pushed armIndex = registry.images().pushIndex(repo, "arm-only", Format.OCI, List.of(TestImages.entry(arm)));
        Pushed s390 = registry.images().pushImage(repo, "s390x", "linux/s390x", Format.OCI);

        PublishResult result = publisher()
                .publish(PublishRequest.builder()
                        .target(ref(repo))
                        .tag("all")
                        .source(source(amdIndex, null))
                        .source(source(armIndex, null))
                        .source(source(s390, null))
                        .build());

        assertThat(result.images())
                .extracting(c -> c.digest().toString())
                .containsExactly(amd.digest(), arm.digest(), s390.digest());
        assertThat(result.children()).hasSize(4);
        PublishResult.Child attestation = result.children().get(3);
        assertThat(attestation.attestation()).isTrue();
        assertThat(attestation.attestationFor().toString()).isEqualTo(amd.digest());
        assertThat(attestation.annotations()).containsEntry("vnd.docker.reference.type", "attestation-manifest");

        // A claimed platform selects one entry out of an index; the attestation of an image left out is dropped.
        PublishResult armOnly = publisher()
                .publish(PublishRequest.builder()
                        .target(ref(repo))
                        .tag("arm")
                        .source(new SourceSpec(ref(repo + ":all"), Platform.parse("linux/arm64"), null))
                        .build());
        assertThat(armOnly.children())
                .singleElement()
                .satisfies(c -> assertThat(c.digest().toString()).isEqualTo(arm.digest()));
    }

    @Test
    void mislabelledChildIsRefusedAndNoTagMoves() {
        String repo = ns + "/liar";
        Pushed amd = registry.images().pushImage(repo, "amd", "linux/amd64", Format.DOCKER);
        Pushed realArm = registry.images().pushImage(repo, "arm", "linux/arm64", Format.DOCKER);
        Pushed previous = registry.images().pushIndex(repo, "1.0", Format.DOCKER, List.of(TestImages.entry(realArm)));

        assertThatThrownBy(() -> publisher()
                        .publish(PublishRequest.builder()
                                .target(ref(repo))
                                .tag("1.0")
                                .tag("latest")
                                .source(source(amd, "linux/arm64"))
                                .source(source(realArm, "linux/arm64"))
                                .build()))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("claims platform linux/arm64")
                .hasMessageContaining("config says linux/amd64")
                .satisfies(
                        e -> assertThat(((VerificationException) e).exitCode()).isEqualTo(3));
        assertThat(Digest.sha256(registry.images().getManifest(repo, "1.0").body())
                        .toString())
                .isEqualTo(previous.digest());
        assertThat(registry.images().getManifest(repo, "latest").status()).isEqualTo(404);
    }

    @Test
    void mislabelledEntryInsideASourceIndexIsRefused() {
        String repo = ns + "/liar-index";
        Pushed amd = registry.images().pushImage(repo, null, "linux/amd64", Format.OCI);
        TestImages.IndexEntry lie =
                new TestImages.IndexEntry(amd.mediaType(), amd.digest(), amd.size(), "linux/arm64", java.util.Map.of());
        Pushed index = registry.images().pushIndex(repo, "bad", Format.OCI, List.of(lie));
        assertThatThrownBy(() -> publisher()
                        .publish(PublishRequest.builder()
                                .target(ref(repo))
                                .tag("x")
                                .source(source(index, null))
                                .build()))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("index says")
                .hasMessageContaining("linux/arm64")
                .hasMessageContaining("linux/amd64");
        assertThat(registry.images().getManifest(repo, "x").status()).isEqualTo(404);
    }

    @Test
    void missingChildFailsBeforeAnythingIsWritten() {
        String repo = ns + "/missing";
        Pushed amd = registry.images().pushImage(repo, "amd", "linux/amd64", Format.DOCKER);
        int mark = registry.get().mark();
        assertThatThrownBy(() -> publisher()
                        .publish(PublishRequest.builder()
                                .target(ref(repo))
                                .tag("1.0")
                                .source(source(amd, "linux/amd64"))
                                .source(new SourceSpec(
                                        ref(ns + "/missing-arm64v8:1.0"),
                                        Platform.parse("linux/arm64"),
                                        "record arm64.json"))
                                .build()))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("record arm64.json")
                .hasMessageContaining("does not exist");
        assertThat(registry.get().requestsSince(mark))
                .noneMatch(r -> r.method().equals("PUT") || r.method().equals("POST"));
    }

    @Test
    void missingOptionalPlatformIsLeftOutWithAWarning() {
        String repo = ns + "/optional";
        Pushed amd = registry.images().pushImage(repo, "amd", "linux/amd64", Format.DOCKER);
        PublishResult result = publisher()
                .publish(PublishRequest.builder()
                        .target(ref(repo))
                        .tag("1.0")
                        .source(source(amd, "linux/amd64"))
                        .source(new SourceSpec(ref(repo + ":arm-never-built"), Platform.parse("linux/arm64"), null))
                        .requirePlatform(Platform.parse("linux/amd64"))
                        .optionalPlatform(Platform.parse("linux/arm64"))
                        .build());
        assertThat(result.images()).extracting(c -> c.platform().toString()).containsExactly("linux/amd64");
        assertThat(result.missingOptionalPlatforms()).containsExactly(Platform.parse("linux/arm64"));
        assertThat(log).anyMatch(l -> l.startsWith("WARN") && l.contains("optional platform linux/arm64"));
        assertThat(registry.images().getManifest(repo, "1.0").status()).isEqualTo(200);
    }

    @Test
    void missingRequiredPlatformFails() {
        String repo = ns + "/required";
        Pushed amd = registry.images().pushImage(repo, "amd", "linux/amd64", Format.DOCKER);
        assertThatThrownBy(() -> publisher()
                        .publish(PublishRequest.builder()
                                .target(ref(repo))
                                .tag("1.0")
                                .source(source(amd, null))
                                .requirePlatform(Platform.parse("linux/arm64/v8"))
                                .build()))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("required platform linux/arm64/v8 is missing")
                .hasMessageContaining("linux/amd64");
        assertThat(registry.images().getManifest(repo, "1.0").status()).isEqualTo(404);
    }

    @Test
    void duplicatePlatformsFailNamingBothSources() {
        String repo = ns + "/dup";
        Pushed one = registry.images().pushImage(repo, "one", "linux/arm64/v8", Format.DOCKER);
        Pushed two = registry.images().pushImage(repo, "two", "linux/arm64", Format.DOCKER);
        assertThatThrownBy(() -> publisher()
                        .publish(PublishRequest.builder()
                                .target(ref(repo))
                                .tag("1.0")
                                .source(new SourceSpec(ref(one.byTag()), null, "first"))
                                .source(new SourceSpec(ref(two.byTag()), null, "second"))
                                .build()))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("given twice")
                .hasMessageContaining("first")
                .hasMessageContaining("second");
    }

    @Test
    void rePublishWritesNothingAndAMovedTagIsReportedAsUpdated() {
        String repo = ns + "/again";
        Pushed amd = registry.images().pushImage(repo, "amd", "linux/amd64", Format.DOCKER);
        Pushed arm = registry.images().pushImage(repo, "arm", "linux/arm64", Format.DOCKER);
        PublishRequest first = PublishRequest.builder()
                .target(ref(repo))
                .tag("1.0")
                .tag("latest")
                .source(source(amd, null))
                .build();
        PublishResult r1 = publisher().publish(first);

        int mark = registry.get().mark();
        PublishResult r2 = publisher().publish(first);
        assertThat(r2.listDigest()).isEqualTo(r1.listDigest());
        assertThat(r2.tags()).extracting(PublishResult.TagOutcome::status).containsOnly(Status.UNCHANGED);
        assertThat(registry.get().requestsSince(mark)).noneMatch(r -> r.method().equals("PUT"));

        PublishResult r3 = publisher()
                .publish(PublishRequest.builder()
                        .target(ref(repo))
                        .tag("1.0")
                        .tag("latest")
                        .source(source(amd, null))
                        .source(source(arm, null))
                        .build());
        assertThat(r3.tags()).allSatisfy(t -> {
            assertThat(t.status()).isEqualTo(Status.UPDATED);
            assertThat(t.previous()).isEqualTo(r1.listDigest());
        });
    }

    @Test
    void dryRunVerifiesEverythingAndWritesNothing() {
        String repo = ns + "/dry";
        Pushed amd = registry.images().pushImage(ns + "/dry-amd64", "1", "linux/amd64", Format.DOCKER);
        int mark = registry.get().mark();
        PublishResult result = publisher()
                .publish(PublishRequest.builder()
                        .target(ref(repo))
                        .tag("1.0")
                        .source(source(amd, "linux/amd64"))
                        .dryRun(true)
                        .build());
        assertThat(result.dryRun()).isTrue();
        assertThat(result.children())
                .singleElement()
                .satisfies(c -> assertThat(c.transfer()).isEqualTo(Transfer.PLANNED));
        assertThat(result.tags())
                .singleElement()
                .satisfies(t -> assertThat(t.status()).isEqualTo(Status.PLANNED));
        assertThat(registry.get().requestsSince(mark))
                .noneMatch(r -> r.method().equals("PUT") || r.method().equals("POST"));
        // a dry run still refuses a lie
        assertThatThrownBy(() -> publisher()
                        .publish(PublishRequest.builder()
                                .target(ref(repo))
                                .tag("1.0")
                                .source(source(amd, "linux/arm64"))
                                .dryRun(true)
                                .build()))
                .isInstanceOf(VerificationException.class);
    }

    @Test
    void otherRegistryHostIsAClearError() {
        Pushed amd = registry.images().pushImage(ns + "/x", "1", "linux/amd64", Format.DOCKER);
        ImageReference elsewhere = ImageReference.parse("127.0.0.1:1/" + ns + "/target");
        assertThatThrownBy(() -> publisher()
                        .publish(PublishRequest.builder()
                                .target(elsewhere)
                                .tag("1")
                                .source(source(amd, null))
                                .build()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("copying across registries is not supported");
    }

    @Test
    void registryDownIsARegistryErrorNamingTheHost() throws Exception {
        RegistryServer down = RegistryServer.plain();
        String host = down.hostPort();
        down.close();
        RegistryClient downClient = new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(host)
                .retries(2, Duration.ofSeconds(3))
                .build());
        long start = System.nanoTime();
        assertThatThrownBy(() -> new Publisher(downClient, LogListener.NONE)
                        .publish(PublishRequest.builder()
                                .target(ImageReference.parse(host + "/app"))
                                .tag("1")
                                .source(SourceSpec.of(ImageReference.parse(host + "/app-amd64:1")))
                                .build()))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining(host)
                .satisfies(e -> assertThat(((RegistryException) e).exitCode()).isEqualTo(4));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void badRequestsFailBeforeAnyRequest() {
        ImageReference target = ref(ns + "/bad");
        SourceSpec any = SourceSpec.of(ref(ns + "/bad:1"));
        assertThatThrownBy(() ->
                        PublishRequest.builder().target(target).source(any).build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("at least one tag");
        assertThatThrownBy(
                        () -> PublishRequest.builder().target(target).tag("1").build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no sources");
        assertThatThrownBy(() -> PublishRequest.builder()
                        .target(target)
                        .tag("-bad")
                        .source(any)
                        .build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("tag '-bad' is invalid");
        assertThatThrownBy(() -> PublishRequest.builder()
                        .target(target)
                        .tag("1")
                        .source(any)
                        .format(ListFormat.DOCKER)
                        .annotation("a", "b")
                        .build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("need an OCI index");
        assertThatThrownBy(() -> SourceSpec.parse("reg/app:1=linux/")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> ListFormat.parse("zip"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("use oci, docker or auto");
        assertThat(SourceSpec.parse("reg.example/app-arm64v8:1.0=linux/arm64/v8")
                        .claimedPlatform())
                .isEqualTo(Platform.parse("linux/arm64/v8"));
    }
}
