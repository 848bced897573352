package io.jenkins.plugins.multiarch.builder;

import static io.jenkins.plugins.multiarch.builder.BuildFixtures.docker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker Engine treats 127.0.0.0/8 as insecure: given credentials, it pushes them over plain HTTP to a
 * registry there. So the docker builder hands a registry's credentials to the engine only once that registry has
 * answered over verified TLS, or when the user named it insecure. Real dockerd, real basic-auth docker-registry
 * processes (plain and TLS) on 127.0.0.1, their access logs as the witness.
 */
class DockerEnginePlainHttpTest {

    private static final String USER = "pusher";
    private static final String PASSWORD = "plain-Http-N3ver-" + System.nanoTime();
    private static final Set<String> PUSH_METHODS = Set.of("PUT", "POST", "PATCH");
    private static final Component[] DOCKER_AND_OPENSSL = {Component.DOCKERD, Component.DOCKER_CLI, Component.OPENSSL};

    @RegisterExtension
    static final RegistryExtension<RegistryServer> plain =
            RegistryExtension.basicAuth(USER, PASSWORD).requiring(DOCKER_AND_OPENSSL);

    @RegisterExtension
    static final RegistryExtension<RegistryServer> tls =
            RegistryExtension.tlsBasicAuth(USER, PASSWORD).requiring(DOCKER_AND_OPENSSL);

    @TempDir
    Path dir;

    private static CredentialsSource login(RegistryServer r) {
        return CredentialsSource.of(r.hostPort(), RegistryCredentials.of(USER, PASSWORD));
    }

    private BuildRequest request(RegistryServer r, String repo) {
        return BuildRequest.builder()
                .context(
                        BuildFixtures.context(dir.resolve(repo.replace('/', '-')), "FROM scratch\nCOPY Dockerfile /\n"))
                .platform(HostArchitecture.ofThisMachine())
                .image(r.hostPort() + "/" + repo)
                .build();
    }

    private static DockerEngineBuilder engine(RegistryClient client, CredentialsSource credentials) {
        return DockerEngineBuilder.builder()
                .dockerHost(Components.dockerHost())
                .registryClient(client)
                .credentials(credentials)
                .build();
    }

    @Test
    void credentialsForAPlainHttpRegistryNotNamedInsecureAreRefusedBeforeTheBuild() {
        RegistryClient notInsecure = new RegistryClient(
                RegistrySettings.builder().credentials(login(plain.get())).build());
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        int mark = plain.get().mark();
        try (DockerEngineBuilder docker = engine(notInsecure, login(plain.get()))) {
            assertThatThrownBy(() -> docker.build(request(plain.get(), "it/plain"), log))
                    .isInstanceOf(RegistryAuthenticationException.class)
                    .hasMessageContaining("the credentials for " + plain.get().hostPort()
                            + " were not given to the Docker " + "Engine")
                    .hasMessageContaining("did not answer over TLS")
                    .hasMessageContaining("--insecure-registry " + plain.get().hostPort())
                    .hasMessageContaining("Nothing was built or pushed")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));
        }
        assertThat(log.text())
                .as("nothing was built")
                .doesNotContain("building")
                .doesNotContain(PASSWORD);
        List<RegistryServer.Request> seen = plain.get().requestsSince(mark);
        assertThat(seen).as("no request carried the push").noneMatch(r -> PUSH_METHODS.contains(r.method()));
        assertThat(seen)
                .as("nothing reached the repository")
                .noneMatch(r -> r.path().contains("/it/plain"));
        assertThat(docker("image", "ls", "-q", plain.get().hostPort() + "/it/plain"))
                .as("no tag, temporary or other, is left in the engine")
                .isEmpty();
        assertThat(plain.get().log()).doesNotContain(PASSWORD);

        // Control: the same build with the registry named insecure pushes, and the access log shows it.
        RegistryClient insecure = new RegistryClient(RegistrySettings.builder()
                .credentials(login(plain.get()))
                .insecureRegistry(plain.get().hostPort())
                .build());
        int before = plain.get().mark();
        try (DockerEngineBuilder docker = engine(insecure, login(plain.get()))) {
            ArchImageRecord r = docker.build(request(plain.get(), "it/plain"), new BuildFixtures.CapturingListener());
            assertThat(r.pushed()).hasSize(1);
        }
        assertThat(plain.get().requestsSince(before))
                .anyMatch(r -> r.method().equals("PUT") && r.path().startsWith("/v2/it/plain/manifests/"));
    }

    @Test
    void aRegistryThatSpeaksTlsGetsTheCredentials() {
        // The client trusts the test CA (as --ca-file would); dockerd needs no CA for 127.0.0.1: it treats the
        // range as insecure and, for such registries, speaks TLS without verifying the certificate.
        RegistryClient trusting = new RegistryClient(RegistrySettings.builder()
                .credentials(login(tls.get()))
                .caFile(tls.get().caFile())
                .build());
        int mark = tls.get().mark();
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        ArchImageRecord r;
        try (DockerEngineBuilder docker = engine(trusting, login(tls.get()))) {
            r = docker.build(request(tls.get(), "it/tls"), log);
        }
        assertThat(r.pushed().get(0).registry()).isEqualTo(tls.get().hostPort());
        assertThat(trusting.headManifest(r.pushed().get(0)).orElseThrow().digest())
                .isEqualTo(r.digest());
        assertThat(tls.get().requestsSince(mark))
                .anyMatch(req -> req.method().equals("PUT") && req.path().startsWith("/v2/it/tls/manifests/"));
        assertThat(log.text()).doesNotContain(PASSWORD);
    }

    @Test
    void theGuardAsksNothingOfARegistryNamedInsecureAndRefusesAnUntrustedCertificate() {
        ImageReference target = ImageReference.parse(plain.get().hostPort() + "/it/guard:build-amd64-0123456789ab");
        RegistryClient insecure = new RegistryClient(RegistrySettings.builder()
                .credentials(login(plain.get()))
                .insecureRegistry(plain.get().hostPort())
                .build());
        new PlainHttpGuard(insecure).requireTls(target, "the engine");
        assertThat(insecure.requestCount())
                .as("a registry named insecure is not asked")
                .isZero();

        RegistryClient untrusting = new RegistryClient(
                RegistrySettings.builder().credentials(login(tls.get())).build());
        ImageReference onTls = ImageReference.parse(tls.get().hostPort() + "/it/guard:1");
        assertThatThrownBy(() -> new PlainHttpGuard(untrusting).requireTls(onTls, "the engine"))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("did not answer over TLS")
                .hasMessageContaining("CA file");

        RegistryClient wrongPassword = new RegistryClient(RegistrySettings.builder()
                .credentials(CredentialsSource.of(tls.get().hostPort(), RegistryCredentials.of(USER, "wrong")))
                .caFile(tls.get().caFile())
                .build());
        assertThatThrownBy(() -> new PlainHttpGuard(wrongPassword).requireTls(onTls, "the engine"))
                .as("over TLS, but refused: the engine would be refused too, so nothing is built")
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("401");
    }
}
