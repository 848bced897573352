package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.BuildException;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one factory from a builder name plus options: names, the DOCKER_* rules, real engines behind them. */
class BuilderFactoryTest {

    private final RegistryClient client = new RegistryClient(
            RegistrySettings.builder().insecureRegistry("127.0.0.1:5999").build());

    @TempDir
    Path dir;

    @Test
    void anUnknownNameIsRefusedNeverReadAsDocker() {
        assertThatThrownBy(() ->
                        BuilderFactory.create(BuilderOptions.builder("kaniko").build(), client))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("builder 'kaniko' is unknown: use docker (Docker Engine) or buildah");
    }

    @Test
    void dockerTlsVerifyIsOnWhenSetExceptZeroFalseOrEmpty() {
        for (String on : new String[] {"1", "true", "yes", "TRUE"}) {
            assertThat(options(Map.of("DOCKER_TLS_VERIFY", on)).dockerTlsVerify)
                    .as(on)
                    .isTrue();
        }
        for (String off : new String[] {"0", "false", "False", "", " "}) {
            assertThat(options(Map.of("DOCKER_TLS_VERIFY", off)).dockerTlsVerify)
                    .as("'" + off + "'")
                    .isFalse();
        }
        assertThat(options(Map.of()).dockerTlsVerify)
                .as("unset: the engine's default")
                .isNull();
    }

    @Test
    void explicitValuesWinOverTheEnvironmentInEitherOrder() {
        Map<String, String> env = Map.of("DOCKER_HOST", "tcp://env:2376", "DOCKER_CERT_PATH", "/env/certs");
        BuilderOptions before = BuilderOptions.builder("docker")
                .dockerHost("unix:///explicit.sock")
                .environment(env)
                .build();
        BuilderOptions after = BuilderOptions.builder("docker")
                .environment(env)
                .dockerHost("unix:///explicit.sock")
                .build();
        assertThat(before.dockerHost).isEqualTo("unix:///explicit.sock");
        assertThat(after.dockerHost).isEqualTo("unix:///explicit.sock");
        assertThat(before.dockerCertPath).isEqualTo(Path.of("/env/certs"));
        assertThat(BuilderOptions.builder("docker")
                        .dockerHost(" ")
                        .environment(env)
                        .build()
                        .dockerHost)
                .as("a blank --docker-host is no value")
                .isEqualTo("tcp://env:2376");
    }

    @Test
    void theDockerEngineNamedByTheEnvironmentIsTheOneUsed() {
        Components.require(Component.DOCKERD);
        ImageBuilder docker = BuilderFactory.create(options(Map.of("DOCKER_HOST", Components.dockerHost())), client);
        try {
            assertThat(docker.name()).isEqualTo("docker");
            assertThat(docker.version()).isNotBlank();
        } finally {
            ((DockerEngineBuilder) docker).close();
        }
        String gone = "unix://" + dir.resolve("gone.sock");
        ImageBuilder nowhere = BuilderFactory.create(options(Map.of("DOCKER_HOST", gone)), client);
        try {
            assertThatThrownBy(nowhere::hostPlatform)
                    .isInstanceOf(BuildException.class)
                    .hasMessageContaining("cannot reach the Docker Engine at " + gone);
        } finally {
            ((DockerEngineBuilder) nowhere).close();
        }
    }

    @Test
    void aMissingDockerCertPathFromTheEnvironmentIsRefused() {
        Path missing = dir.resolve("no-certs");
        assertThatThrownBy(() -> BuilderFactory.create(
                        options(Map.of(
                                "DOCKER_HOST",
                                "tcp://127.0.0.1:2376",
                                "DOCKER_TLS_VERIFY",
                                "1",
                                "DOCKER_CERT_PATH",
                                missing.toString())),
                        client))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("Docker TLS certificate folder " + missing + " does not exist");
    }

    @Test
    void buildahGetsItsOptionsAndTheClientsInsecureRegistries() {
        Components.require(Component.BUILDAH);
        ImageBuilder buildah = BuilderFactory.create(
                BuilderOptions.builder(" Buildah ")
                        .storageDriver("vfs")
                        .isolation("chroot")
                        .root(dir.resolve("root"))
                        .layers(true)
                        .build(),
                client);
        assertThat(buildah).isInstanceOf(BuildahBuilder.class);
        BuildahBuilder b = (BuildahBuilder) buildah;
        assertThat(b.root()).isEqualTo(dir.resolve("root"));
        assertThat(b.layers()).isTrue();
        assertThat(b.insecureRegistries()).containsExactly("127.0.0.1:5999");
        assertThat(b.version()).startsWith("1.");
        assertThatThrownBy(() -> BuilderFactory.create(
                        BuilderOptions.builder("buildah").isolation("vm").build(), client))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("buildah isolation 'vm' is unknown");
    }

    private static BuilderOptions options(Map<String, String> env) {
        return BuilderOptions.builder("docker").environment(env).build();
    }
}
