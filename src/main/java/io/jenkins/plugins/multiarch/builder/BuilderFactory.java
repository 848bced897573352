package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.registry.RegistryClient;

/**
 * The one place that turns a builder name plus options into a builder: the CLI's {@code build} and the plugin's
 * {@code buildArchImage} both call it. An unknown name is refused ({@link BuilderKind#parse}), never read as
 * docker. The builder confirms its pushes with {@code client}, and takes the credentials and insecure registries
 * of its settings.
 */
public final class BuilderFactory {

    private BuilderFactory() {}

    /** The caller closes what it gets when it is {@link AutoCloseable} (the Docker Engine's connection). */
    public static ImageBuilder create(BuilderOptions options, RegistryClient client) {
        return switch (BuilderKind.parse(options.builder)) {
            case DOCKER -> {
                DockerEngineBuilder.Builder b = DockerEngineBuilder.builder()
                        .registryClient(client)
                        .credentials(client.settings().credentials());
                if (options.dockerHost != null) {
                    b.dockerHost(options.dockerHost);
                }
                if (options.dockerTlsVerify != null) {
                    b.tlsVerify(options.dockerTlsVerify);
                }
                if (options.dockerCertPath != null) {
                    b.tlsCertPath(options.dockerCertPath);
                }
                yield b.build();
            }
            case BUILDAH -> {
                BuildahBuilder.Builder b = BuildahBuilder.builder()
                        .registryClient(client)
                        .credentials(client.settings().credentials())
                        .insecureRegistries(client.settings().insecureRegistries())
                        .root(options.root)
                        .runRoot(options.runRoot)
                        .layers(options.layers)
                        .workDir(options.workDir);
                if (options.storageDriver != null) {
                    b.storageDriver(options.storageDriver);
                }
                if (options.isolation != null) {
                    b.isolation(options.isolation);
                }
                yield b.build();
            }
        };
    }
}
