package io.jenkins.plugins.multiarch.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.FaultProxy;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Publishing through a fault-injecting proxy in front of a real registry: in every case the publish either
 * succeeds or fails with a clear error, and a tag never points at a list with a child missing from the target.
 */
class PublisherFaultTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain();

    private FaultProxy proxy;
    private String ns;

    @BeforeEach
    void startProxy() {
        proxy = FaultProxy.inFrontOf(registry.get());
        ns = "f" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    private RegistryClient client(Duration requestTimeout, Duration deadline) {
        return new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(proxy.hostPort())
                .retries(5, deadline)
                .retryBackoff(Duration.ofMillis(50))
                .maxRetryAfter(Duration.ofSeconds(2))
                .requestTimeout(requestTimeout)
                .build());
    }

    private ImageReference viaProxy(String repoAndRef) {
        return ImageReference.parse(proxy.hostPort() + "/" + repoAndRef);
    }

    /** The seed's layout: per-arch repositories, published into another repository of the same registry. */
    private PublishRequest crossRepoRequest(String target) {
        Pushed amd = registry.images().pushImage(ns + "/app-amd64", "1.0", "linux/amd64", Format.DOCKER);
        Pushed arm = registry.images().pushImage(ns + "/app-arm64v8", "1.0", "linux/arm64", Format.DOCKER);
        return PublishRequest.builder()
                .target(viaProxy(target))
                .tag("1.0")
                .tag("latest")
                .source(new SourceSpec(viaProxy(amd.byTag()), Platform.parse("linux/amd64"), null))
                .source(new SourceSpec(viaProxy(arm.byTag()), Platform.parse("linux/arm64"), null))
                .build();
    }

    /** Whatever the tag points at (if anything) has every child in the target repository. */
    private void assertNoDanglingList(String repo, String tag) throws IOException {
        TestImages.Fetched list = registry.images().getManifest(repo, tag);
        if (list.status() == 404) {
            return;
        }
        assertThat(list.status()).isEqualTo(200);
        JsonNode manifests = JSON.readTree(list.body()).get("manifests");
        assertThat(manifests).isNotEmpty();
        for (JsonNode child : manifests) {
            assertThat(registry.images()
                            .getManifest(repo, child.get("digest").asText())
                            .status())
                    .as("child %s of %s:%s", child.get("digest").asText(), repo, tag)
                    .isEqualTo(200);
        }
    }

    @Test
    void tooManyRequestsWithRetryAfterIsWaitedOut() throws IOException {
        PublishRequest request = crossRepoRequest(ns + "/app");
        FaultProxy.Rule rule = proxy.on("GET", "/manifests/").tooManyRequests(1);
        long start = System.nanoTime();
        PublishResult result =
                new Publisher(client(Duration.ofSeconds(5), Duration.ofSeconds(30)), LogListener.NONE).publish(request);
        assertThat(rule.fired()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(result.images()).hasSize(2);
        assertNoDanglingList(ns + "/app", "1.0");
    }

    @Test
    void serviceUnavailableBurstsAreRetried() throws IOException {
        PublishRequest request = crossRepoRequest(ns + "/app");
        FaultProxy.Rule blobs = proxy.on(null, "/blobs/").times(3).status(503);
        FaultProxy.Rule manifests = proxy.on("PUT", "/manifests/").times(2).status(503);
        PublishResult result =
                new Publisher(client(Duration.ofSeconds(5), Duration.ofSeconds(30)), LogListener.NONE).publish(request);
        assertThat(blobs.fired()).isEqualTo(3);
        assertThat(manifests.fired()).isEqualTo(2);
        assertThat(result.tags()).hasSize(2);
        assertNoDanglingList(ns + "/app", "1.0");
        assertNoDanglingList(ns + "/app", "latest");
    }

    @Test
    void connectionResetMidPutIsRetriedAndTheListIsComplete() throws IOException {
        PublishRequest request = crossRepoRequest(ns + "/app");
        // the reset hits after the registry handled the PUT: the retry must be harmless (same bytes, same digest)
        FaultProxy.Rule childPut = proxy.on("PUT", "/manifests/sha256:").resetAfterForwarding();
        FaultProxy.Rule listPut = proxy.on("PUT", "/manifests/1.0").reset();
        PublishResult result =
                new Publisher(client(Duration.ofSeconds(5), Duration.ofSeconds(30)), LogListener.NONE).publish(request);
        assertThat(childPut.fired()).isEqualTo(1);
        assertThat(listPut.fired()).isEqualTo(1);
        assertThat(registry.images().getManifest(ns + "/app", "1.0").digestHeader())
                .isEqualTo(result.listDigest().toString());
        assertNoDanglingList(ns + "/app", "1.0");
    }

    @Test
    void persistentResetOnTheListFailsClearlyAndNoTagPointsAtAMissingChild() throws IOException {
        PublishRequest request = crossRepoRequest(ns + "/app");
        proxy.on("PUT", "/manifests/(1\\.0|latest)").always().reset();
        assertThatThrownBy(() -> new Publisher(client(Duration.ofSeconds(5), Duration.ofSeconds(10)), LogListener.NONE)
                        .publish(request))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining(ns + "/app");
        assertThat(registry.images().getManifest(ns + "/app", "1.0").status()).isEqualTo(404);
        assertThat(registry.images().getManifest(ns + "/app", "latest").status())
                .isEqualTo(404);
    }

    @Test
    void failureWhileMountingChildrenLeavesNoTag() throws IOException {
        PublishRequest request = crossRepoRequest(ns + "/app");
        proxy.on("POST", "/blobs/uploads/").always().status(500);
        assertThatThrownBy(() -> new Publisher(client(Duration.ofSeconds(5), Duration.ofSeconds(8)), LogListener.NONE)
                        .publish(request))
                .isInstanceOf(RegistryException.class);
        assertThat(registry.images().getManifest(ns + "/app", "1.0").status()).isEqualTo(404);
        assertNoDanglingList(ns + "/app", "latest");
    }

    @Test
    void slowResponsesPastTheDeadlineEndInAClearErrorInTime() {
        PublishRequest request = crossRepoRequest(ns + "/app");
        proxy.on(null, "/manifests/").always().delay(Duration.ofSeconds(3));
        long start = System.nanoTime();
        assertThatThrownBy(() -> new Publisher(client(Duration.ofSeconds(1), Duration.ofSeconds(4)), LogListener.NONE)
                        .publish(request))
                .isInstanceOf(RegistryException.class)
                .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("timed out", "deadline", "time"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void registryRejectingOciIndexGetsADockerListInsteadAndSaysSo() throws IOException {
        String repo = ns + "/quay-like";
        Pushed amd = registry.images().pushImage(repo, "amd", "linux/amd64", Format.DOCKER);
        Pushed arm = registry.images().pushImage(repo, "arm", "linux/arm64", Format.DOCKER);
        // Like Quay or old Artifactory: the list PUT as an OCI index (auto picks OCI for the annotation) is refused.
        FaultProxy.Rule reject = proxy.on("PUT", "/manifests/1.0").statusWithError(400, "MANIFEST_INVALID");
        List<String> log = new ArrayList<>();
        PublishResult result = new Publisher(
                        client(Duration.ofSeconds(5), Duration.ofSeconds(20)), (l, m) -> log.add(m))
                .publish(PublishRequest.builder()
                        .target(viaProxy(repo))
                        .tag("1.0")
                        .tag("latest")
                        .annotation("org.opencontainers.image.version", "1.0")
                        .source(SourceSpec.of(viaProxy(amd.byDigest())))
                        .source(SourceSpec.of(viaProxy(arm.byDigest())))
                        .build());
        assertThat(reject.fired()).isEqualTo(1);
        assertThat(result.mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST_LIST);
        assertThat(result.notes())
                .singleElement()
                .asString()
                .contains("rejected the OCI index")
                .contains("Docker manifest list")
                .contains("without the index annotations");
        for (String tag : List.of("1.0", "latest")) {
            TestImages.Fetched stored = registry.images().getManifest(repo, tag);
            assertThat(stored.mediaType()).isEqualTo(TestImages.DOCKER_LIST);
            assertThat(stored.digestHeader()).isEqualTo(result.listDigest().toString());
        }
    }

    @Test
    void explicitOciFormatIsNeverSilentlyChangedAndOtherRejectionsAreNotMistakenForIt() {
        String repo = ns + "/strict";
        Pushed amd = registry.images().pushImage(repo, "amd", "linux/amd64", Format.DOCKER);
        proxy.on("PUT", "/manifests/1.0").statusWithError(400, "MANIFEST_INVALID");
        assertThatThrownBy(() -> new Publisher(client(Duration.ofSeconds(5), Duration.ofSeconds(20)), LogListener.NONE)
                        .publish(PublishRequest.builder()
                                .target(viaProxy(repo))
                                .tag("1.0")
                                .format(ListFormat.OCI)
                                .source(SourceSpec.of(viaProxy(amd.byDigest())))
                                .build()))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("refuses OCI image indexes")
                .hasMessageContaining("format docker or auto");
        assertThat(registry.images().getManifest(repo, "1.0").status()).isEqualTo(404);

        // a 400 for another reason (a child the registry cannot find) is reported as it is, no format switch
        proxy.clearRules();
        proxy.on("PUT", "/manifests/2.0").statusWithError(400, "MANIFEST_BLOB_UNKNOWN");
        assertThatThrownBy(() -> new Publisher(client(Duration.ofSeconds(5), Duration.ofSeconds(20)), LogListener.NONE)
                        .publish(PublishRequest.builder()
                                .target(viaProxy(repo))
                                .tag("2.0")
                                .annotation("a", "b")
                                .source(SourceSpec.of(viaProxy(amd.byDigest())))
                                .build()))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("MANIFEST_BLOB_UNKNOWN")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("refuses OCI"));
        assertThat(registry.images().getManifest(repo, "2.0").status()).isEqualTo(404);
    }
}
