package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import io.jenkins.plugins.multiarch.testing.TestImages.Format;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OCI 1.1 referrers probe against the real distribution 2.8, which has no referrers API: the probe says so
 * (after one GET that the access log shows), so that attestations there go without a {@code subject}.
 */
class ReferrersApiTest {

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain();

    @Test
    void distributionTwoEightServesNoReferrers() {
        TestImages.Pushed image = registry.images().pushImage("ref/app", "1.0", "linux/amd64", Format.OCI);
        RegistryClient client = new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(registry.get().hostPort())
                .build());
        int mark = registry.get().mark();

        boolean serves = client.supportsReferrers(
                ImageReference.parse(registry.get().hostPort() + "/ref/app"), Digest.parse(image.digest()));

        assertThat(serves).isFalse();
        assertThat(registry.get().requestsSince(mark)).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.path()).isEqualTo("/v2/ref/app/referrers/" + image.digest());
            assertThat(r.status()).isEqualTo(404);
        });
    }
}
