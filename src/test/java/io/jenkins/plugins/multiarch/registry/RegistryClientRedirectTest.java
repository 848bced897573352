package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Credentials stay at the registry's origin: a blob download redirected to storage on another port, or an
 * upload Location on another host, gets no Authorization; https is never downgraded to http.
 */
class RegistryClientRedirectTest {

    private static final String USER = "bob";
    private static final String PASSWORD = "Redirect-pw-77";

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> registry = RegistryExtension.basicAuth(USER, PASSWORD);

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final LogListener listener = (level, message) -> log.add(message);

    private RegistrySettings.Builder settings(String host) {
        return RegistrySettings.builder()
                .listener(listener)
                .retries(3, Duration.ofSeconds(20))
                .retryBackoff(Duration.ofMillis(20))
                .credentials(CredentialsSource.of(host, RegistryCredentials.of(USER, PASSWORD)));
    }

    @Test
    void blobRedirectToAnotherOriginCarriesNoAuthorization() {
        byte[] data = TestImages.randomBytes(10_000);
        String digest = registry.images().pushBlob("redir/app", data);
        try (BlobOrigin storage = new BlobOrigin().serve(digest, data);
                FrontProxy front = new FrontProxy(registry.get(), false).redirectBlobGetsTo(storage.baseUri())) {
            RegistryClient client = new RegistryClient(settings(front.hostPort())
                    .insecureRegistry(front.hostPort())
                    .build());
            byte[] fetched = client.fetchBlob(
                    ImageReference.parse(front.hostPort() + "/redir/app"), Digest.parse(digest), 100_000);

            assertThat(fetched).isEqualTo(data);
            // The registry got our credentials on its own origin...
            assertThat(front.seen())
                    .filteredOn(s -> s.path().contains("/blobs/"))
                    .extracting(FrontProxy.Seen::authorization)
                    .containsExactly(false, true);
            // ...the storage origin (another port) got none.
            assertThat(storage.received()).singleElement().satisfies(r -> {
                assertThat(r.hasAuthorization()).isFalse();
                assertThat(r.query()).contains("X-Amz-Signature=presignedsecret123");
            });
            String all = String.join("\n", log);
            assertThat(all).contains("another origin: no credentials sent there");
            assertThat(all).doesNotContain("presignedsecret123", PASSWORD);
        }
    }

    @Test
    void uploadLocationOnAnotherHostGetsNoCredentials() {
        byte[] data = TestImages.randomBytes(1000);
        try (BlobOrigin elsewhere = new BlobOrigin();
                FrontProxy front = new FrontProxy(registry.get(), false)) {
            front.rewriteResponseHeader(
                    "/blobs/uploads/", "Location", elsewhere.baseUri() + "/upload/abc?_state=opaque");
            RegistryClient client = new RegistryClient(settings(front.hostPort())
                    .insecureRegistry(front.hostPort())
                    .build());
            assertThatThrownBy(() -> client.pushBlob(
                            ImageReference.parse(front.hostPort() + "/redir/up"), Digest.sha256(data), data))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("push blob");
            assertThat(elsewhere.received()).isNotEmpty().noneMatch(BlobOrigin.Received::hasAuthorization);
            assertThat(front.seen())
                    .filteredOn(s -> s.method().equals("POST"))
                    .anyMatch(FrontProxy.Seen::authorization);
        }
    }

    @Test
    void redirectFromHttpsToHttpIsRefused() {
        byte[] data = TestImages.randomBytes(100);
        String digest = registry.images().pushBlob("redir/tls", data);
        try (BlobOrigin plain = new BlobOrigin().serve(digest, data);
                FrontProxy front = new FrontProxy(registry.get(), true).redirectBlobGetsTo(plain.baseUri())) {
            RegistryClient client = new RegistryClient(
                    settings(front.hostPort()).caFile(front.caFile()).build());
            assertThatThrownBy(() -> client.fetchBlob(
                            ImageReference.parse(front.hostPort() + "/redir/tls"), Digest.parse(digest), 1000))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("refusing a redirect from https to plain http")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("presignedsecret123"));
            assertThat(plain.received()).isEmpty();
            // The https side did work: TLS with the extra CA, basic auth after the challenge.
            assertThat(front.seen()).extracting(FrontProxy.Seen::authorization).containsExactly(false, true);
        }
    }
}
