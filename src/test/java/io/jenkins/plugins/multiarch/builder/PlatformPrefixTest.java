package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real buildah, a real registry: every build line carries the {@code [linux/amd64] } label when the request asks for
 * it (the CLI, whose platforms interleave), and none when it does not (the plugin inside a parallel branch, whose
 * lines Jenkins labels with the branch already).
 */
class PlatformPrefixTest {

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry =
            RegistryExtension.plain().requiring(Component.BUILDAH);

    @TempDir
    static Path storage;

    @TempDir
    Path dir;

    private List<String> buildLog(boolean prefix) throws IOException {
        Path ctx = BuildFixtures.context(dir.resolve("ctx-" + prefix), "FROM scratch\nCOPY hello.txt /hello.txt\n");
        Files.writeString(ctx.resolve("hello.txt"), "hello\n");
        RegistryClient client = BuildFixtures.client(registry.get(), CredentialsSource.none());
        BuildahBuilder buildah = BuildahBuilder.builder()
                .root(storage.resolve("root"))
                .runRoot(storage.resolve("run"))
                .insecureRegistry(registry.get().hostPort())
                .registryClient(client)
                .build();
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        buildah.build(
                BuildRequest.builder()
                        .context(ctx)
                        .platform("linux/amd64")
                        .image(registry.get().ref("p/prefix"))
                        .platformPrefix(prefix)
                        .build(),
                log);
        synchronized (log.lines) {
            return List.copyOf(log.lines);
        }
    }

    @Test
    void everyBuildLineCarriesThePlatformLabelByDefault() throws IOException {
        List<String> lines = buildLog(true);
        assertThat(lines).anyMatch(l -> l.matches("INFO \\[linux/amd64\\] STEP 2/\\d: COPY hello.txt /hello.txt"));
        assertThat(lines).allMatch(l -> l.startsWith("INFO [linux/amd64] ") || l.startsWith("DEBUG "), "labelled");
    }

    @Test
    void withoutThePrefixNoLineCarriesThePlatformLabel() throws IOException {
        List<String> lines = buildLog(false);
        assertThat(lines).anyMatch(l -> l.matches("INFO STEP 2/\\d: COPY hello.txt /hello.txt"));
        assertThat(lines).anyMatch(l -> l.startsWith("INFO pushed "));
        assertThat(lines).noneMatch(l -> l.contains("[linux/amd64]"));
    }
}
