package io.jenkins.plugins.multiarch.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Proves {@link FaultProxy} forwards to a real registry and injects each kind of fault. */
class FaultProxyFixtureTest {

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain();

    private FaultProxy proxy;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    @BeforeEach
    void startProxy() {
        proxy = FaultProxy.inFrontOf(registry.get());
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    private HttpResponse<String> send(String method, String path, byte[] body, String contentType, Duration timeout)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.baseUri() + path))
                .timeout(timeout)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null, null, Duration.ofSeconds(10));
    }

    @Test
    void forwardsEverythingAndRewritesLocationToItself() throws Exception {
        HttpResponse<String> start =
                send("POST", "/v2/via/proxy/blobs/uploads/", new byte[0], null, Duration.ofSeconds(10));
        assertThat(start.statusCode()).isEqualTo(202);
        assertThat(start.headers().firstValue("Location").orElseThrow())
                .startsWith(proxy.baseUri() + "/v2/via/proxy/blobs/uploads/");

        TestImages viaProxy = TestImages.at(proxy.baseUri(), null, null, null);
        TestImages.Pushed p = viaProxy.pushImage("via/proxy", "1", "linux/amd64", TestImages.Format.DOCKER);
        assertThat(TestImages.forRegistry(registry.get())
                        .getManifest("via/proxy", "1")
                        .digestHeader())
                .isEqualTo(p.digest());
        // (without an Accept for Docker v2, distribution 2.8 answers 400: it would have to convert to schema 1)
        HttpResponse<String> head = client.send(
                HttpRequest.newBuilder(URI.create(proxy.baseUri() + "/v2/via/proxy/manifests/1"))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .header("Accept", TestImages.DOCKER_MANIFEST)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Docker-Content-Digest")).contains(p.digest());
        assertThat(head.headers().firstValueAsLong("Content-Length").orElse(-1)).isEqualTo(p.size());
        assertThat(proxy.requests()).anySatisfy(r -> {
            assertThat(r.method()).isEqualTo("PUT");
            assertThat(r.path()).isEqualTo("/v2/via/proxy/manifests/1");
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.headerNames()).contains("content-type");
            assertThat(r.fault()).isNull();
        });
    }

    @Test
    void answers429WithRetryAfterThenPassesThrough() throws Exception {
        FaultProxy.Rule rule = proxy.on("GET", "/v2/$").tooManyRequests(2);
        HttpResponse<String> first = get("/v2/");
        assertThat(first.statusCode()).isEqualTo(429);
        assertThat(first.headers().firstValue("Retry-After")).contains("2");
        assertThat(first.body()).contains("TOOMANYREQUESTS");
        assertThat(get("/v2/").statusCode()).isEqualTo(200);
        assertThat(rule.fired()).isEqualTo(1);
        assertThat(rule.matched()).isEqualTo(2);
    }

    @Test
    void answers503ATimesThenPassesThrough() throws Exception {
        FaultProxy.Rule rule = proxy.on(null, "/v2/").times(3).status(503);
        int mark = registry.get().mark();
        for (int i = 0; i < 3; i++) {
            assertThat(get("/v2/").statusCode()).isEqualTo(503);
        }
        assertThat(get("/v2/").statusCode()).isEqualTo(200);
        assertThat(rule.fired()).isEqualTo(3);
        assertThat(registry.get().requestsSince(mark)).hasSize(1); // the faults never reached the registry
    }

    @Test
    void dropsTheConnectionOnTheSecondManifestPut() throws Exception {
        TestImages direct = TestImages.forRegistry(registry.get());
        TestImages.Pushed image = direct.pushImage("reset/me", null, "linux/amd64", TestImages.Format.DOCKER);
        proxy.on("PUT", "/manifests/").after(1).reset();
        String path = "/v2/reset/me/manifests/";
        assertThat(send("PUT", path + "a", image.manifest(), image.mediaType(), Duration.ofSeconds(10))
                        .statusCode())
                .isEqualTo(201);
        int mark = registry.get().mark();
        assertThatThrownBy(() -> send("PUT", path + "b", image.manifest(), image.mediaType(), Duration.ofSeconds(10)))
                .isInstanceOf(IOException.class);
        assertThat(registry.get().requestsSince(mark)).isEmpty();
        assertThat(direct.getManifest("reset/me", "b").status()).isEqualTo(404);
        assertThat(send("PUT", path + "c", image.manifest(), image.mediaType(), Duration.ofSeconds(10))
                        .statusCode())
                .isEqualTo(201);
        assertThat(proxy.requests()).extracting(FaultProxy.Recorded::status).containsExactly(201, -1, 201);
    }

    @Test
    void canDropTheConnectionAfterTheRegistryAppliedThePut() throws Exception {
        TestImages direct = TestImages.forRegistry(registry.get());
        TestImages.Pushed image = direct.pushImage("lost/answer", null, "linux/amd64", TestImages.Format.OCI);
        proxy.on("PUT", "/manifests/").resetAfterForwarding();
        assertThatThrownBy(() -> send(
                        "PUT",
                        "/v2/lost/answer/manifests/t",
                        image.manifest(),
                        image.mediaType(),
                        Duration.ofSeconds(10)))
                .isInstanceOf(IOException.class);
        assertThat(direct.getManifest("lost/answer", "t").digestHeader()).isEqualTo(image.digest());
    }

    @Test
    void delaysAResponsePastTheClientsDeadline() throws Exception {
        proxy.on("GET", "/v2/$").delay(Duration.ofMillis(1500));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> send("GET", "/v2/", null, null, Duration.ofMillis(400)))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1400));
        long t1 = System.nanoTime();
        assertThat(get("/v2/").statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - t1)).isLessThan(Duration.ofMillis(1000));
    }

    @Test
    void recordsWhetherAuthorizationWasSent() throws Exception {
        client.send(
                HttpRequest.newBuilder(URI.create(proxy.baseUri() + "/v2/"))
                        .header("Authorization", "Bearer x")
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        get("/v2/");
        assertThat(proxy.requests())
                .extracting(FaultProxy.Recorded::authorization)
                .containsExactly(true, false);
    }
}
