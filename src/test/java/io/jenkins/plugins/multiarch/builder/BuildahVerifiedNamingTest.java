package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real buildah 1.28, a real registry: a per-arch name only after the registry confirmed the platform, the same
 * digest for two builds of one context, and no warning about the platform args buildah defines itself.
 */
class BuildahVerifiedNamingTest {

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry =
            RegistryExtension.plain().requiring(Component.BUILDAH);

    static RegistryClient client;

    @TempDir
    static Path storage;

    @TempDir
    Path dir;

    @BeforeAll
    static void newClient() {
        client = BuildFixtures.client(registry.get(), CredentialsSource.none());
    }

    private static BuildahBuilder buildah() {
        return BuildahBuilder.builder()
                .root(storage.resolve("root"))
                .runRoot(storage.resolve("run"))
                .insecureRegistry(registry.get().hostPort())
                .registryClient(client)
                .build();
    }

    private Path scratchContext(String name) {
        Path ctx = BuildFixtures.context(dir.resolve(name), "FROM scratch\nCOPY hello.txt /hello.txt\n");
        try {
            Files.writeString(ctx.resolve("hello.txt"), "hello\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return ctx;
    }

    @Test
    void perArchNamesComeOnlyAfterTheRegistryConfirmedThePlatformAsManifestPuts() {
        String repo = "v/suffix-" + System.nanoTime();
        BuildRequest request = BuildRequest.builder()
                .context(scratchContext("ctx"))
                .platform("linux/amd64")
                .image(registry.get().hostPort() + "/" + repo)
                .tag("1.0")
                .tag("latest")
                .naming(Naming.REPO_SUFFIX)
                .sourceDateEpoch("1600000000")
                .build();
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        int mark = registry.get().mark();
        ArchImageRecord record = buildah().build(request, log);

        assertThat(record.pushed())
                .extracting(Object::toString)
                .containsExactly(
                        registry.get().hostPort() + "/" + repo + "-amd64:1.0",
                        registry.get().hostPort() + "/" + repo + "-amd64:latest");
        for (ImageReference name : record.pushed()) {
            assertThat(client.headManifest(name).orElseThrow().digest()).isEqualTo(record.digest());
        }
        List<RegistryServer.Request> requests = registry.get().requestsSince(mark);
        List<String> manifestPuts = requests.stream()
                .filter(r -> r.method().equals("PUT") && r.path().contains("/manifests/"))
                .map(RegistryServer.Request::path)
                .toList();
        assertThat(manifestPuts).as("the temporary tag first, then each name").hasSize(3);
        assertThat(manifestPuts.get(0)).contains("/manifests/build-amd64-");
        assertThat(manifestPuts.subList(1, 3))
                .allMatch(p -> p.endsWith("/manifests/1.0") || p.endsWith("/manifests/latest"));
        int firstNamePut = requests.indexOf(requests.stream()
                .filter(r -> r.method().equals("PUT") && r.path().endsWith("/manifests/1.0"))
                .findFirst()
                .orElseThrow());
        assertThat(requests.subList(firstNamePut, requests.size()))
                .as("no layer traffic once the image is confirmed")
                .noneMatch(r -> r.path().contains("/blobs/"));
        assertThat(log.text()).contains("named " + record.pushed().get(0));
    }

    @Test
    void buildahsArmV7VariantForArmV6FromScratchIsRefusedAndLeavesNoPerArchName() {
        String repo = "v/armv6-" + System.nanoTime();
        BuildRequest request = BuildRequest.builder()
                .context(scratchContext("ctx"))
                .platform("linux/arm/v6")
                .allowEmulation(true)
                .image(registry.get().hostPort() + "/" + repo)
                .tag("1.0")
                .naming(Naming.REPO_SUFFIX)
                .build();
        assertThatThrownBy(() -> buildah().build(request, new BuildFixtures.CapturingListener()))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("FROM scratch is linux/arm/v7")
                .hasMessageContaining("buildah 1.28")
                .hasMessageContaining("wrote linux/arm/v7 into its config itself")
                .hasMessageNotContaining("base image was the wrong platform");
        assertThat(client.headManifest(ImageReference.parse(registry.get().hostPort() + "/" + repo + "-arm32v6:1.0")))
                .as("no per-arch name")
                .isEmpty();
    }

    @Test
    void twoBuildsOfOneContextGiveOneDigest() {
        Path ctx = scratchContext("ctx");
        BuildRequest.Builder request = BuildRequest.builder()
                .context(ctx)
                .platform("linux/amd64")
                .image(registry.get().hostPort() + "/v/repro")
                .sourceDateEpoch("1600000000");
        BuildahBuilder buildah = buildah();
        ArchImageRecord first = buildah.build(request.build(), new BuildFixtures.CapturingListener());
        ArchImageRecord second = buildah.build(request.build(), new BuildFixtures.CapturingListener());
        assertThat(second.pushed()).isNotEqualTo(first.pushed()); // two temporary tags...
        assertThat(second.digest()).as("...one image").isEqualTo(first.digest());
    }

    @Test
    void theWarningAboutBuildahsOwnPlatformArgsIsNotShown() {
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        buildah()
                .build(
                        BuildRequest.builder()
                                .context(scratchContext("ctx"))
                                .platform("linux/amd64")
                                .image(registry.get().hostPort() + "/v/warn")
                                .buildArg("UNUSED_BY_THE_DOCKERFILE", "x")
                                .build(),
                        log);
        assertThat(log.text())
                .as("the user's own unused arg is still reported")
                .contains("build args were not consumed: [UNUSED_BY_THE_DOCKERFILE]")
                .doesNotContain("TARGETARCH", "TARGETOS", "TARGETPLATFORM");
    }
}
