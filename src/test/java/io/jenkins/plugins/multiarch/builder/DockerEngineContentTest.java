package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.ImageSummary;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.report.ImageChanges;
import io.jenkins.plugins.multiarch.testing.BaseImages;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Docker Engine and a real registry: the record's content of two builds FROM the offline busybox base whose
 * ENV changed, and what ImageChanges says between them (env names only, never a value).
 */
class DockerEngineContentTest {

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry =
            RegistryExtension.plain().requiring(Component.DOCKERD, Component.DOCKER_CLI, Component.BUSYBOX);

    static RegistryClient client;
    static BaseImages.Base base;
    static DockerEngineBuilder builder;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        base = BaseImages.push(registry.get());
        client = BuildFixtures.client(registry.get(), CredentialsSource.none());
        builder = DockerEngineBuilder.builder()
                .dockerHost(Components.dockerHost())
                .registryClient(client)
                .build();
    }

    @AfterAll
    static void stop() {
        if (builder != null) {
            builder.close();
        }
    }

    private ArchImageRecord build(String name, String env) {
        Path ctx = BuildFixtures.context(
                dir.resolve(name),
                "FROM " + base.reference() + "\nENV " + env
                        + "\nCOPY hello.txt /hello.txt\nCMD [\"cat\", \"/hello.txt\"]\n");
        try {
            Files.writeString(ctx.resolve("hello.txt"), "hello\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return builder.build(
                BuildRequest.builder()
                        .context(ctx)
                        .platform("linux/amd64")
                        .image(registry.get().hostPort() + "/d/env")
                        .sourceDateEpoch("1600000000")
                        .build(),
                new BuildFixtures.CapturingListener());
    }

    private static ImageChanges.Content content(ArchImageRecord r) {
        ImageSummary c = r.content();
        return ImageChanges.Content.ofRecorded(
                c.baseName(),
                c.baseDigest(),
                c.layerCount(),
                c.layersSize(),
                c.entrypoint(),
                c.cmd(),
                c.envNames(),
                c.labels());
    }

    @Test
    void twoDockerBuildsWhoseEnvChangedShowTheEnvNamesOnly() {
        ArchImageRecord before = build("before", "MODE=dev-mode-value DB_PASSWORD=hunter2-value");
        ArchImageRecord after = build("after", "MODE=prod-mode-value CACHE_DIR=/var/cache-value");

        ImageSummary c = after.content();
        ImageManifest manifest =
                (ImageManifest) client.fetchManifest(after.reference()).parsed();
        assertThat(c.layerCount()).isEqualTo(manifest.layers().size()).isGreaterThan(1);
        assertThat(c.layersSize())
                .isEqualTo(
                        manifest.layers().stream().mapToLong(Descriptor::size).sum());
        assertThat(c.cmd()).containsExactly("cat", "/hello.txt");
        assertThat(c.envNames()).contains("CACHE_DIR", "MODE", "PATH");
        assertThat(new String(before.toJson(), StandardCharsets.UTF_8)
                        + new String(after.toJson(), StandardCharsets.UTF_8))
                .doesNotContain("hunter2-value", "dev-mode-value", "prod-mode-value", "/var/cache-value");

        List<String> lines = ImageChanges.between(content(before), content(after));
        assertThat(after.digest()).isNotEqualTo(before.digest());
        assertThat(lines).containsExactly("env: added CACHE_DIR; removed DB_PASSWORD");
    }
}
