package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import io.jenkins.plugins.multiarch.testing.TestImages.Format;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The confirmation after a push, against a real registry holding what a builder would have pushed. */
class PushVerifierTest {

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain();

    static RegistryClient client;

    @BeforeAll
    static void newClient() {
        client = BuildFixtures.client(registry.get(), CredentialsSource.none());
    }

    private static ImageReference ref(String repositoryAndTag) {
        return ImageReference.parse(registry.get().hostPort() + "/" + repositoryAndTag);
    }

    @Test
    void confirmsDigestTypeSizeAndThePlatformFromTheConfigInTwoRequests() {
        TestImages.Pushed arm = registry.images().pushImage("v/ok", "1.0-arm64v8", "linux/arm64/v8", Format.OCI);
        int mark = registry.get().mark();
        PushVerifier.Confirmed confirmed = new PushVerifier(client)
                .confirm(List.of(ref(arm.byTag())), Digest.parse(arm.digest()), Platform.parse("linux/arm64"));
        assertThat(confirmed.digest()).hasToString(arm.digest());
        assertThat(confirmed.size()).isEqualTo(arm.size());
        assertThat(confirmed.mediaType().toString()).isEqualTo(TestImages.OCI_MANIFEST);
        assertThat(confirmed.platform().matches(Platform.parse("linux/arm64/v8")))
                .isTrue();
        assertThat(registry.get().requestsSince(mark))
                .extracting(RegistryServer.Request::method)
                .as("the manifest by its tag, then the config")
                .containsExactly("GET", "GET");
    }

    @Test
    void everyFurtherNameIsOneHead() {
        TestImages.Pushed amd = registry.images().pushImage("v/names", "1.0-amd64", "linux/amd64", Format.DOCKER);
        registry.images().pushImage("v/names", "latest-amd64", "linux/amd64", Format.DOCKER);
        // the same manifest under a second tag: push its exact bytes
        client.putManifest(ref("v/names:latest-amd64"), client.fetchManifest(ref(amd.byTag())));
        int mark = registry.get().mark();
        PushVerifier.Confirmed confirmed = new PushVerifier(client)
                .confirm(
                        List.of(ref(amd.byTag()), ref("v/names:latest-amd64")),
                        Digest.parse(amd.digest()),
                        Platform.parse("linux/amd64"));
        assertThat(confirmed.digest()).hasToString(amd.digest());
        assertThat(registry.get().requestsSince(mark))
                .extracting(RegistryServer.Request::method)
                .containsExactly("GET", "HEAD", "GET");
    }

    @Test
    void aTagMovedByAnotherBuildIsRefused() {
        TestImages.Pushed first = registry.images().pushImage("v/moved", "1.0-amd64", "linux/amd64", Format.DOCKER);
        TestImages.Pushed second = registry.images().pushImage("v/moved", "1.0-amd64", "linux/amd64", Format.DOCKER);
        assertThat(second.digest()).isNotEqualTo(first.digest());
        assertThatThrownBy(() -> new PushVerifier(client)
                        .confirm(
                                List.of(ref(first.byTag())),
                                Digest.parse(first.digest()),
                                Platform.parse("linux/amd64")))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("as " + first.digest())
                .hasMessageContaining("holds " + second.digest())
                .hasMessageContaining("another build pushed the same tag");
    }

    @Test
    void aSecondNameHoldingSomethingElseIsRefused() {
        TestImages.Pushed amd = registry.images().pushImage("v/second", "1.0-amd64", "linux/amd64", Format.DOCKER);
        TestImages.Pushed other = registry.images().pushImage("v/second", "latest-amd64", "linux/amd64", Format.DOCKER);
        assertThatThrownBy(() -> new PushVerifier(client)
                        .confirm(
                                List.of(ref(amd.byTag()), ref(other.byTag())),
                                Digest.parse(amd.digest()),
                                Platform.parse("linux/amd64")))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("holds " + other.digest());
    }

    @Test
    void aTagMovedToAManifestWeDoNotReadIsStillReportedAsMoved() {
        TestImages.Pushed ours = registry.images().pushImage("v/unreadable", "1.0-amd64", "linux/amd64", Format.DOCKER);
        // Another pusher's manifest under the same tag, one the registry stores but our codec refuses
        // (an image manifest that also has 'manifests').
        String text = new String(ours.manifest(), java.nio.charset.StandardCharsets.UTF_8);
        byte[] odd = (text.substring(0, text.lastIndexOf('}')) + ",\"manifests\":[]}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        TestImages.Pushed other =
                registry.images().pushManifest("v/unreadable", "1.0-amd64", TestImages.DOCKER_MANIFEST, odd);
        assertThat(other.digest()).isNotEqualTo(ours.digest());
        assertThatThrownBy(() -> new PushVerifier(client)
                        .confirm(
                                List.of(ref(ours.byTag())), Digest.parse(ours.digest()), Platform.parse("linux/amd64")))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("holds " + other.digest())
                .hasMessageContaining("another build pushed the same tag");
        // the builder itself pushed that: then the manifest's own problem is the news
        assertThatThrownBy(() -> new PushVerifier(client)
                        .confirm(
                                List.of(ref(ours.byTag())),
                                Digest.parse(other.digest()),
                                Platform.parse("linux/amd64")))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("also has 'manifests'");
    }

    @Test
    void aMissingTagIsARegistryErrorSaying404() {
        registry.images().pushImage("v/missing", "other", "linux/amd64", Format.DOCKER);
        assertThatThrownBy(() -> new PushVerifier(client)
                        .confirm(List.of(ref("v/missing:1.0-amd64")), null, Platform.parse("linux/amd64")))
                .isInstanceOfSatisfying(
                        RegistryException.class, e -> assertThat(e.statusCode()).isEqualTo(404))
                .hasMessageContaining("registry does not have it");
    }

    @Test
    void theConfigDecidesThePlatformNotTheRequest() {
        TestImages.Pushed amd = registry.images().pushImage("v/mislabel", "1.0-arm64v8", "linux/amd64", Format.OCI);
        assertThatThrownBy(() -> new PushVerifier(client)
                        .confirm(List.of(ref(amd.byTag())), Digest.parse(amd.digest()), Platform.parse("linux/arm64")))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("built for linux/arm64")
                .hasMessageContaining("is linux/amd64 according to its config");
    }

    @Test
    void aListIsNotASingleImage() {
        TestImages.Pushed amd = registry.images().pushImage("v/list", "amd", "linux/amd64", Format.OCI);
        TestImages.Pushed list =
                registry.images().pushIndex("v/list", "1.0-amd64", Format.OCI, List.of(TestImages.entry(amd)));
        assertThatThrownBy(() -> new PushVerifier(client)
                        .confirm(
                                List.of(ref(list.byTag())), Digest.parse(list.digest()), Platform.parse("linux/amd64")))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("not a single image");
    }
}
