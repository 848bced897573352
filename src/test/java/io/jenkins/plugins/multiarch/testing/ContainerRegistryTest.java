package io.jenkins.plugins.multiarch.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The Testcontainers path of {@link TestRegistry}, as ci.jenkins.io's agents take it: a registry container on the
 * host network with basic auth, against a real Docker engine (here ours, with the locally built image).
 */
class ContainerRegistryTest {

    @Test
    void aRegistryContainerServesWithBasicAuthAndLogsItsRequests() throws Exception {
        if (!ContainerRegistry.dockerAvailable()) {
            Components.unavailable("Testcontainers finds no Docker daemon (DOCKER_HOST=" + System.getenv("DOCKER_HOST")
                    + "; our private one is " + Components.dockerHost() + ")");
        }
        try (ContainerRegistry r = ContainerRegistry.start("ci-user", "container-Pa55")) {
            HttpResponse<Void> anonymous = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://" + r.hostPort() + "/v2/"))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
            assertThat(anonymous.statusCode()).isEqualTo(401);

            TestImages.Pushed pushed = TestImages.at(
                            URI.create("http://" + r.hostPort()), null, r.username(), r.password())
                    .pushImage("fixture/app", "1.0", "linux/arm64", TestImages.Format.OCI);
            RegistryClient client = new RegistryClient(RegistrySettings.builder()
                    .credentials(CredentialsSource.of(r.hostPort(), RegistryCredentials.of(r.username(), r.password())))
                    .insecureRegistry(r.hostPort())
                    .build());
            assertThat(client.fetchManifest(ImageReference.parse(r.hostPort() + "/fixture/app:1.0"))
                            .digest()
                            .toString())
                    .isEqualTo(pushed.digest());
            assertThat(r.accessLog())
                    .anySatisfy(q -> assertThat(q.toString()).isEqualTo("PUT /v2/fixture/app/manifests/1.0 201"));

            r.changePassword("rotated-Pa55");
            assertThat(status(r, "ci-user", "container-Pa55")).isEqualTo(401);
            assertThat(status(r, "ci-user", "rotated-Pa55")).isEqualTo(200);
            assertThat(r.password()).isEqualTo("rotated-Pa55");
        }
    }

    @Test
    void theChoiceFallsBackToAContainerOnlyWithoutTheBinary() {
        Components.require(Component.REGISTRY);
        try (TestRegistry r = TestRegistry.basicAuth("u", "p")) {
            assertThat(r).isInstanceOf(RegistryServer.class);
            assertThat(r.username()).isEqualTo("u");
        }
    }

    @Test
    void aRotatedPasswordRefusesTheOldOneOnTheProcessToo() throws Exception {
        Components.require(Component.REGISTRY);
        try (RegistryServer r =
                RegistryServer.builder().basicAuth("u", "old-Pa55").start()) {
            assertThat(status(r, "u", "old-Pa55")).isEqualTo(200);
            r.changePassword("new-Pa55");
            assertThat(status(r, "u", "old-Pa55")).isEqualTo(401);
            assertThat(status(r, "u", "new-Pa55")).isEqualTo(200);
        }
    }

    private static int status(TestRegistry r, String user, String password) throws Exception {
        String basic = java.util.Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://" + r.hostPort() + "/v2/"))
                                .header("Authorization", "Basic " + basic)
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
