package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import io.jenkins.plugins.multiarch.testing.BaseImages;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TokenIssuer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build whose registry credentials are an identity token (a credential helper's {@code <token>} answer): buildah
 * gets it as the {@code identitytoken} of its auth file, dockerd as the push's identity token, and each trades it at
 * the token service itself with the OAuth2 refresh-token grant; it is never sent as a password.
 */
class BuildIdentityTokenTest {

    private static final String USER = "oauth-builder";
    private static final String REFRESH = "refresh-bu1ld-Tk-" + System.nanoTime();

    @RegisterExtension
    static final RegistryExtension<RegistryServer> bases =
            RegistryExtension.plain().requiring(Component.BUILDAH, Component.DOCKERD, Component.BUSYBOX);

    @RegisterExtension
    static final RegistryExtension<RegistryServer> target =
            RegistryExtension.tokenAuth(() -> new TokenIssuer(USER, "unused-Pw-9").addRefreshToken(USER, REFRESH));

    @TempDir
    static Path storage;

    static BaseImages.Base base;

    @BeforeAll
    static void pushBase() {
        base = BaseImages.push(bases.get());
    }

    @Test
    void buildahTradesTheIdentityTokenAtTheTokenServiceAndNeverShowsIt() {
        CredentialsSource token =
                CredentialsSource.of(target.get().hostPort(), RegistryCredentials.identityToken(REFRESH.toCharArray()));
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        BuildRequest request = BuildRequest.builder()
                .context(BuildFixtures.offlineExample())
                .platform("linux/amd64")
                .image(target.get().hostPort() + "/oauth/app")
                .tag("1.0")
                .buildArg("BASE", base.reference())
                .naming(Naming.DIGEST)
                .build();
        target.issuer().clearRequests();

        ArchImageRecord record;
        try {
            record = BuildahBuilder.builder()
                    .root(storage.resolve("root"))
                    .runRoot(storage.resolve("run"))
                    .insecureRegistry(bases.get().hostPort())
                    .insecureRegistry(target.get().hostPort())
                    .registryClient(BuildFixtures.client(target.get(), token))
                    .credentials(token)
                    .build()
                    .build(request, log);
        } catch (RuntimeException e) {
            throw new AssertionError("issuer saw " + target.issuer().requests() + "\nlog:\n" + log.text(), e);
        }

        assertThat(record.digest()).isNotNull();
        List<TokenIssuer.TokenRequest> requests = target.issuer().requests();
        assertThat(requests)
                .as("buildah's push and our confirmation both got their tokens with the refresh-token grant")
                .isNotEmpty()
                .allSatisfy(r -> {
                    assertThat(r.method()).isEqualTo("POST");
                    assertThat(r.grantType()).isEqualTo("refresh_token");
                    assertThat(r.authorizationPresent())
                            .as("no Basic with <token>")
                            .isFalse();
                    assertThat(r.status()).isEqualTo(200);
                });
        assertThat(requests)
                .as("buildah itself asked (containers/image names its own client id)")
                .anyMatch(r -> !"multiarch".equals(r.clientId()));
        assertThat(log.text()).doesNotContain(REFRESH);
    }

    @Test
    void dockerdTradesTheIdentityTokenAtTheTokenServiceAndNeverShowsIt() {
        CredentialsSource token =
                CredentialsSource.of(target.get().hostPort(), RegistryCredentials.identityToken(REFRESH.toCharArray()));
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        BuildRequest request = BuildRequest.builder()
                .context(BuildFixtures.offlineExample())
                .platform("linux/amd64")
                .image(target.get().hostPort() + "/oauth/docker-app")
                .tag("1.0")
                .buildArg("BASE", base.reference())
                .build();
        target.issuer().clearRequests();

        ArchImageRecord record;
        try (DockerEngineBuilder docker = DockerEngineBuilder.builder()
                .dockerHost(Components.dockerHost())
                .registryClient(BuildFixtures.client(target.get(), token))
                .credentials(token)
                .build()) {
            record = docker.build(request, log);
        } catch (RuntimeException e) {
            throw new AssertionError("issuer saw " + target.issuer().requests() + "\nlog:\n" + log.text(), e);
        }

        assertThat(record.digest()).isNotNull();
        assertThat(target.issuer().requests())
                .as("dockerd's push and our confirmation both used the refresh-token grant, never Basic")
                .isNotEmpty()
                .allSatisfy(r -> {
                    assertThat(r.method()).isEqualTo("POST");
                    assertThat(r.grantType()).isEqualTo("refresh_token");
                    assertThat(r.authorizationPresent()).isFalse();
                    assertThat(r.status()).isEqualTo(200);
                })
                .anyMatch(r -> !"multiarch".equals(r.clientId()));
        assertThat(log.text()).doesNotContain(REFRESH);
    }
}
