package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import org.junit.jupiter.api.Test;

/**
 * An administrator's allowlist of registries (a Jenkins controller as an HTTP client): a registry outside it is
 * refused before any request reaches it, one inside it works as usual.
 */
class RegistryAllowlistTest {

    @Test
    void aRegistryOutsideTheAllowlistGetsNoRequestAtAll() {
        try (RegistryServer allowed = RegistryServer.plain();
                RegistryServer other = RegistryServer.plain()) {
            TestImages.Pushed image =
                    TestImages.forRegistry(allowed).pushImage("allow/app", "1.0", "linux/amd64", TestImages.Format.OCI);
            TestImages.forRegistry(other).pushImage("allow/app", "1.0", "linux/amd64", TestImages.Format.OCI);
            RegistryClient client = new RegistryClient(RegistrySettings.builder()
                    .insecureRegistry(allowed.hostPort())
                    .insecureRegistry(other.hostPort())
                    .allowedRegistry(allowed.hostPort())
                    .build());

            int before = other.mark();
            assertThatThrownBy(() -> client.fetchManifest(ImageReference.parse(other.ref("allow/app:1.0"))))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage("registry " + other.hostPort() + " is not among the registries this client may "
                            + "contact [" + allowed.hostPort() + "]: use one of them, or ask the administrator to "
                            + "add it");
            assertThatThrownBy(() -> client.headDigest(ImageReference.parse(other.ref("allow/app:1.0"))))
                    .isInstanceOf(InvalidInputException.class);
            assertThat(other.requestsSince(before)).isEmpty();

            assertThat(client.fetchManifest(ImageReference.parse(allowed.ref("allow/app:1.0")))
                            .digest()
                            .toString())
                    .isEqualTo(image.digest());
        }
    }

    @Test
    void anAllowlistEntryFollowsTheRegistryRule() {
        assertThatThrownBy(() -> RegistrySettings.builder().allowedRegistry("https://reg.example/"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("allowed registry: registry 'https://reg.example/' has a scheme");
        assertThat(RegistrySettings.builder()
                        .allowedRegistry("Reg.Example:5000")
                        .build()
                        .allowedRegistries())
                .containsExactly("reg.example:5000");
        assertThat(RegistrySettings.builder().build().allowedRegistries()).isEmpty();
    }
}
