package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.testing.FaultProxy;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Faults injected by a proxy in front of a real registry: every case ends in success or a clear error. */
class RegistryClientFaultTest {

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain();

    private FaultProxy proxy;

    @BeforeEach
    void proxy() {
        proxy = FaultProxy.inFrontOf(registry.get());
    }

    @AfterEach
    void closeProxy() {
        proxy.close();
    }

    private RegistryClient client(int attempts, Duration deadline) {
        return new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(proxy.hostPort())
                .retries(attempts, deadline)
                .retryBackoff(Duration.ofMillis(50))
                .maxRetryAfter(Duration.ofSeconds(5))
                .build());
    }

    private ImageReference ref(String s) {
        return ImageReference.parse(proxy.hostPort() + "/" + s);
    }

    @Test
    void tooManyRequestsWaitsForRetryAfter() {
        TestImages.Pushed img = registry.images().pushImage("fault/rl", "1", "linux/amd64", TestImages.Format.OCI);
        FaultProxy.Rule rule = proxy.on("GET", "/manifests/").tooManyRequests(1);
        long start = System.nanoTime();
        assertThat(client(4, Duration.ofSeconds(20))
                        .fetchManifest(ref("fault/rl:1"))
                        .digest())
                .hasToString(img.digest());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(rule.fired()).isEqualTo(1);
    }

    @Test
    void retryAfterAsHttpDateIsHonouredAndCapped() {
        TestImages.Pushed img = registry.images().pushImage("fault/date", "1", "linux/amd64", TestImages.Format.OCI);
        // A date far in the future: capped at maxRetryAfter (here 1 s), not a day.
        String date = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusDays(1));
        proxy.on("GET", "/manifests/").statusWithRetryAfter(503, date);
        RegistryClient client = new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(proxy.hostPort())
                .retries(3, Duration.ofSeconds(10))
                .maxRetryAfter(Duration.ofSeconds(1))
                .build());
        long start = System.nanoTime();
        assertThat(client.fetchManifest(ref("fault/date:1")).digest()).hasToString(img.digest());
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
    }

    @Test
    void serviceUnavailableBurstIsRetried() {
        TestImages.Pushed img =
                registry.images().pushImage("fault/burst", "1", "linux/amd64", TestImages.Format.DOCKER);
        FaultProxy.Rule rule = proxy.on(null, "/manifests/").times(3).status(503);
        RegistryClient client = client(5, Duration.ofSeconds(20));
        assertThat(client.fetchManifest(ref("fault/burst:1")).digest()).hasToString(img.digest());
        assertThat(rule.fired()).isEqualTo(3);
        assertThat(client.requestCount()).isEqualTo(4);
    }

    @Test
    void persistentServerErrorGivesUpAfterTheAttempts() {
        registry.images().pushImage("fault/down", "1", "linux/amd64", TestImages.Format.DOCKER);
        proxy.on("GET", "/manifests/").always().status(500);
        RegistryClient client = client(3, Duration.ofSeconds(20));
        assertThatThrownBy(() -> client.fetchManifest(ref("fault/down:1")))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("fetch manifest " + proxy.hostPort() + "/fault/down:1 failed: HTTP 500")
                .hasMessageContaining("after 3 attempts")
                .satisfies(e -> assertThat(((RegistryException) e).statusCode()).isEqualTo(500));
        assertThat(client.requestCount()).isEqualTo(3);
    }

    @Test
    void otherClientErrorsAreNeverRetried() {
        FaultProxy.Rule rule = proxy.on("GET", "/manifests/").always().status(403);
        RegistryClient client = client(5, Duration.ofSeconds(20));
        assertThatThrownBy(() -> client.fetchManifest(ref("fault/denied:1")))
                .isInstanceOf(io.jenkins.plugins.multiarch.RegistryAuthenticationException.class)
                .hasMessageContaining("DENIED");
        assertThat(rule.fired()).isEqualTo(1);
        proxy.clearRules();
        assertThatThrownBy(() -> client.fetchManifest(ref("fault/none:1")))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("MANIFEST_UNKNOWN");
        assertThat(client.requestCount()).isEqualTo(2);
    }

    @Test
    void connectionResetDuringManifestPutIsRetried() {
        TestImages.Pushed img = registry.images().pushImage("fault/reset", "1", "linux/amd64", TestImages.Format.OCI);
        RawManifest raw = RawManifest.of(img.manifest(), MediaType.OCI_MANIFEST);
        FaultProxy.Rule before = proxy.on("PUT", "/manifests/").reset();
        FaultProxy.Rule after = proxy.on("PUT", "/manifests/").resetAfterForwarding();
        RegistryClient client = client(4, Duration.ofSeconds(20));
        assertThat(client.putManifest(ref("fault/reset:2"), raw)).isEqualTo(raw.digest());
        assertThat(before.fired()).isEqualTo(1);
        assertThat(after.fired()).isEqualTo(1);
        assertThat(registry.images().getManifest("fault/reset", "2").body()).isEqualTo(img.manifest());
    }

    @Test
    void manifestPutWhoseAnswerWasLostSucceedsAgainstAnImmutableRegistry() {
        TestImages.Pushed img =
                registry.images().pushImage("fault/immutable", "1", "linux/amd64", TestImages.Format.OCI);
        RawManifest raw = RawManifest.of(img.manifest(), MediaType.OCI_MANIFEST);
        // The PUT is stored but its answer lost; the retry is refused as an identical re-push (ECR immutable tags,
        // Nexus without redeploy), although the tag holds exactly our manifest.
        FaultProxy.Rule lost = proxy.on("PUT", "/manifests/2$").resetAfterForwarding();
        FaultProxy.Rule refused = proxy.on("PUT", "/manifests/2$").statusWithError(400, "TAG_INVALID");
        RegistryClient client = client(4, Duration.ofSeconds(20));
        assertThat(client.putManifest(ref("fault/immutable:2"), raw)).isEqualTo(raw.digest());
        assertThat(lost.fired()).isEqualTo(1);
        assertThat(refused.fired()).isEqualTo(1);
        assertThat(proxy.requests())
                .extracting(FaultProxy.Recorded::method, FaultProxy.Recorded::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("PUT", -1),
                        org.assertj.core.groups.Tuple.tuple("PUT", 400),
                        org.assertj.core.groups.Tuple.tuple("HEAD", 200));
        assertThat(registry.images().getManifest("fault/immutable", "2").body()).isEqualTo(img.manifest());
    }

    @Test
    void manifestPutRefusedWhileTheTagHoldsSomethingElseStillFails() {
        TestImages.Pushed ours =
                registry.images().pushImage("fault/immutable-other", "ours", "linux/amd64", TestImages.Format.OCI);
        registry.images().pushImage("fault/immutable-other", "taken", "linux/arm64", TestImages.Format.OCI);
        RawManifest raw = RawManifest.of(ours.manifest(), MediaType.OCI_MANIFEST);
        proxy.on("PUT", "/manifests/taken$").statusWithError(400, "TAG_INVALID");
        RegistryClient client = client(4, Duration.ofSeconds(20));
        assertThatThrownBy(() -> client.putManifest(ref("fault/immutable-other:taken"), raw))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("TAG_INVALID")
                .satisfies(e -> assertThat(((RegistryException) e).statusCode()).isEqualTo(400));
        assertThat(proxy.requests()).extracting(FaultProxy.Recorded::method).containsExactly("PUT", "HEAD");
    }

    @Test
    void blobUploadFailingMidSessionStartsANewSession() {
        byte[] data = TestImages.randomBytes(40_000);
        Digest digest = Digest.sha256(data);
        proxy.on("PUT", "/blobs/uploads/").reset();
        RegistryClient client = client(4, Duration.ofSeconds(20));
        client.pushBlob(ref("fault/blob"), digest, data);
        List<FaultProxy.Recorded> seen = proxy.requests();
        assertThat(seen).extracting(FaultProxy.Recorded::method).containsExactly("POST", "PUT", "POST", "PUT");
        assertThat(seen.get(3).status()).isEqualTo(201);
        assertThat(registry.images().getBlob("fault/blob", digest.toString())).isEqualTo(data);
    }

    @Test
    void slowRegistryPastTheDeadlineFailsClearly() {
        registry.images().pushImage("fault/slow", "1", "linux/amd64", TestImages.Format.OCI);
        proxy.on("GET", "/manifests/").always().delay(Duration.ofSeconds(4));
        RegistryClient client = client(5, Duration.ofMillis(1500));
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.fetchManifest(ref("fault/slow:1")))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("did not answer in time")
                .hasMessageContaining("fetch manifest " + proxy.hostPort() + "/fault/slow:1");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(3000));
    }

    @Test
    void retryAfterBeyondTheDeadlineStopsAtOnce() {
        proxy.on("GET", "/manifests/").always().tooManyRequests(30);
        RegistryClient client = new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(proxy.hostPort())
                .retries(5, Duration.ofSeconds(2))
                .maxRetryAfter(Duration.ofSeconds(60))
                .build());
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.fetchManifest(ref("fault/ratelimited:1")))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("HTTP 429")
                .hasMessageContaining("TOOMANYREQUESTS")
                .hasMessageContaining("rate limiting");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(client.requestCount()).isEqualTo(1);
    }

    @Test
    void plainHttpIsHttp11WithoutUpgradeAndTheCallersBuilderIsUsed() {
        TestImages.Pushed img = registry.images().pushImage("fault/h11", "1", "linux/amd64", TestImages.Format.OCI);
        java.util.concurrent.atomic.AtomicInteger tasks = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();
        try {
            // The caller asks for HTTP/2 and automatic redirects; we keep its executor, force HTTP/1.1 and NEVER.
            RegistryClient client = new RegistryClient(RegistrySettings.builder()
                    .insecureRegistry(proxy.hostPort())
                    .httpClientBuilder(() -> java.net.http.HttpClient.newBuilder()
                            .version(java.net.http.HttpClient.Version.HTTP_2)
                            .followRedirects(java.net.http.HttpClient.Redirect.ALWAYS)
                            .executor(r -> {
                                tasks.incrementAndGet();
                                pool.execute(r);
                            }))
                    .build());
            assertThat(client.fetchManifest(ref("fault/h11:1")).digest()).hasToString(img.digest());
            assertThat(proxy.requests())
                    .singleElement()
                    .satisfies(r -> assertThat(r.headerNames())
                            .doesNotContain("upgrade", "http2-settings")
                            .contains("user-agent", "accept"));
            assertThat(tasks.get()).isPositive();
        } finally {
            pool.shutdownNow();
        }
    }
}
