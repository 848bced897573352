package io.jenkins.plugins.multiarch.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.PublishResult.Transfer;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.report.Reports;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import io.jenkins.plugins.multiarch.testing.TestImages.Format;
import io.jenkins.plugins.multiarch.testing.TestImages.Pushed;
import io.jenkins.plugins.multiarch.testing.TokenIssuer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Publishing to registries with TLS + basic auth and with token auth; wrong passwords; no secret in any output. */
class PublisherAuthTest {

    private static RegistryClient client(RegistryServer registry, String user, String password, List<String> log) {
        RegistrySettings.Builder settings = RegistrySettings.builder()
                .credentials(CredentialsSource.of(registry.hostPort(), RegistryCredentials.of(user, password)))
                .retries(2, Duration.ofSeconds(10))
                .listener((level, message) -> log.add(level + " " + message));
        if (registry.isTls()) {
            settings.caFile(registry.caFile());
        } else {
            settings.insecureRegistry(registry.hostPort());
        }
        return new RegistryClient(settings.build());
    }

    private static PublishRequest seedRequest(RegistryServer registry, TestImages images, String ns) {
        Pushed amd = images.pushImage(ns + "/py-app-amd64", "1.0", "linux/amd64", Format.DOCKER);
        Pushed arm = images.pushImage(ns + "/py-app-arm64v8", "1.0", "linux/arm64", Format.OCI);
        return PublishRequest.builder()
                .target(ImageReference.parse(registry.hostPort() + "/" + ns + "/py-app"))
                .tag("1.0")
                .source(new SourceSpec(
                        ImageReference.parse(registry.hostPort() + "/" + amd.byTag()),
                        Platform.parse("linux/amd64"),
                        null))
                .source(new SourceSpec(
                        ImageReference.parse(registry.hostPort() + "/" + arm.byTag()),
                        Platform.parse("linux/arm64"),
                        null))
                .build();
    }

    @Test
    void tlsWithBasicAuthAndAnExtraCa() {
        Components.require(Components.Component.REGISTRY, Components.Component.OPENSSL);
        String password = "s3cret-" + UUID.randomUUID();
        try (RegistryServer registry =
                RegistryServer.builder().tls().basicAuth("ci", password).start()) {
            List<String> log = new ArrayList<>();
            PublishRequest request = seedRequest(registry, TestImages.forRegistry(registry), "tls");
            PublishResult result =
                    new Publisher(client(registry, "ci", password, log), (l, m) -> log.add(m)).publish(request);

            assertThat(result.children()).allMatch(c -> c.transfer() == Transfer.MOUNTED);
            assertThat(result.mediaType().value()).isEqualTo("application/vnd.oci.image.index.v1+json");
            assertThat(String.join("\n", log) + Reports.publishTable(result) + Reports.publishJson(result))
                    .doesNotContain(password);

            // wrong password: an authentication error naming the registry, never the password
            String wrong = "wrong-" + UUID.randomUUID();
            assertThatThrownBy(() -> new Publisher(client(registry, "ci", wrong, log), null).publish(request))
                    .isInstanceOf(RegistryAuthenticationException.class)
                    .hasMessageContaining(registry.hostPort())
                    .satisfies(e ->
                            assertThat(e.getMessage()).doesNotContain(wrong).doesNotContain(password))
                    .satisfies(e -> assertThat(((RegistryAuthenticationException) e).exitCode())
                            .isEqualTo(4));
            assertThat(String.join("\n", log)).doesNotContain(wrong);
        }
    }

    @Test
    void tokenAuthMountsAcrossRepositoriesWithBothScopes() {
        Components.require(Components.Component.REGISTRY, Components.Component.OPENSSL);
        try (TokenIssuer issuer = new TokenIssuer("builder", "tok-pass-123");
                RegistryServer registry =
                        RegistryServer.builder().tokenAuth(issuer).start()) {
            List<String> log = new ArrayList<>();
            String ns = "tok" + UUID.randomUUID().toString().substring(0, 6);
            PublishRequest request = seedRequest(registry, TestImages.forRegistry(registry), ns);
            issuer.clearRequests();

            PublishResult result =
                    new Publisher(client(registry, "builder", "tok-pass-123", log), null).publish(request);

            assertThat(result.children()).allMatch(c -> c.transfer() == Transfer.MOUNTED);
            // the mount asked one token for both repositories: push on the target, pull on the source
            assertThat(issuer.requests())
                    .anySatisfy(r -> assertThat(r.scopes())
                            .contains(
                                    "repository:" + ns + "/py-app:pull,push",
                                    "repository:" + ns + "/py-app-amd64:pull"));
            assertThat(issuer.requests()).allMatch(r -> r.status() == 200);
            assertThat(String.join("\n", log)).doesNotContain("tok-pass-123");

            assertThatThrownBy(() -> new Publisher(client(registry, "builder", "nope", log), null).publish(request))
                    .isInstanceOf(RegistryAuthenticationException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("nope"));
        }
    }
}
