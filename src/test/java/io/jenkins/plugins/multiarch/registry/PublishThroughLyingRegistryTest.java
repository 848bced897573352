package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.publish.PublishRequest;
import io.jenkins.plugins.multiarch.publish.Publisher;
import io.jenkins.plugins.multiarch.publish.SourceSpec;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import io.jenkins.plugins.multiarch.testing.TestImages.Format;
import io.jenkins.plugins.multiarch.testing.TestImages.Pushed;
import org.junit.jupiter.api.Test;

/**
 * Checklist case 2 end to end: when the registry answers the first tag's PUT with another digest than the
 * bytes we sent, the publish fails there and no other tag moves. (Here, not in publish/, because the
 * header-rewriting {@link FrontProxy} is this package's test helper.)
 */
class PublishThroughLyingRegistryTest {

    @Test
    void digestMismatchOnTheFirstTagStopsBeforeAnyOtherTagMoves() {
        Components.require(Components.Component.REGISTRY);
        try (RegistryServer registry = RegistryServer.plain();
                FrontProxy proxy = new FrontProxy(registry, false)) {
            TestImages images = TestImages.forRegistry(registry);
            Pushed amd = images.pushImage("lie/app", "amd", "linux/amd64", Format.DOCKER);
            proxy.rewriteResponseHeader("/manifests/1\\.0$", "Docker-Content-Digest", "sha256:" + "0".repeat(64));
            RegistryClient client = new RegistryClient(RegistrySettings.builder()
                    .insecureRegistry(proxy.hostPort())
                    .build());

            assertThatThrownBy(() -> new Publisher(client, LogListener.NONE)
                            .publish(PublishRequest.builder()
                                    .target(ImageReference.parse(proxy.hostPort() + "/lie/app"))
                                    .tag("1.0")
                                    .tag("latest")
                                    .source(SourceSpec.of(
                                            ImageReference.parse(proxy.hostPort() + "/" + amd.byDigest())))
                                    .build()))
                    .isInstanceOf(VerificationException.class)
                    .hasMessageContaining("sha256:" + "0".repeat(64));
            assertThat(images.getManifest("lie/app", "latest").status()).isEqualTo(404);
        }
    }
}
