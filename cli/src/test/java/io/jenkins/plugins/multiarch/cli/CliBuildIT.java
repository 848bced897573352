package io.jenkins.plugins.multiarch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.testing.BaseImages;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.Exec;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's local reproduction, black-box: {@code multiarch build} of the offline example for linux/amd64
 * (native) and linux/arm64 (qemu), records written, list published; then {@code push-manifest-list --records}
 * from those records is a no-op re-publish, and each platform of the list runs and says which machine it is.
 */
class CliBuildIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO_ROOT = Path.of("").toAbsolutePath().getParent();

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain()
            .requiring(Component.DOCKERD, Component.DOCKER_CLI, Component.QEMU_AARCH64, Component.BUSYBOX);

    private static BaseImages.Base base;

    @TempDir
    Path work;

    @BeforeAll
    static void pushBase() {
        base = BaseImages.push(registry.get());
    }

    private Exec.Result multiarch(String... args) {
        List<String> command = new ArrayList<>(List.of("java", "-jar", System.getProperty("multiarch.jar")));
        command.addAll(List.of(args));
        Map<String, String> env = new HashMap<>(Components.dockerEnv());
        env.put("DOCKER_CONFIG", work.toString());
        // the context must lie inside the working directory: run from the repository root, as a user would
        return Exec.run(command, Duration.ofMinutes(5), env, REPO_ROOT, null);
    }

    @Test
    void buildRecordsPublishesAndEachPlatformRunsWhereItShould() throws Exception {
        String host = registry.get().hostPort();
        Path records = work.resolve("records");
        Exec.Result build = multiarch(
                "build",
                "--image",
                host + "/demo/hello",
                "--tag",
                "1.0",
                "--platform",
                "linux/amd64",
                "--platform",
                "linux/arm64",
                "--allow-emulation",
                "--naming",
                "repo-suffix",
                "--build-arg",
                "BASE=" + base.reference(),
                "--records",
                records.toString(),
                "--insecure-registry",
                host,
                "--json",
                "examples/offline");
        assertThat(build.exitCode()).as(build.stderr()).isEqualTo(0);
        assertThat(build.stderr()).doesNotContain("SLF4J");

        List<Path> files;
        try (Stream<Path> s = Files.walk(records)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files)
                .extracting(p -> p.getFileName().toString())
                .containsExactly("linux-amd64.json", "linux-arm64.json");
        JsonNode arm = JSON.readTree(files.get(1).toFile());
        assertThat(arm.get("platform").get("architecture").asText()).isEqualTo("arm64");
        assertThat(arm.get("emulated").asBoolean()).isTrue();
        assertThat(arm.toString()).contains(host + "/demo/hello-arm64v8"); // the seed's intermediate naming

        Exec.Result republish = multiarch(
                "push-manifest-list",
                "--image",
                host + "/demo/hello",
                "--tag",
                "1.0",
                "--records",
                records.toString(),
                "--require",
                "linux/amd64",
                "--require",
                "linux/arm64",
                "--insecure-registry",
                host,
                "--json");
        assertThat(republish.exitCode()).as(republish.stderr()).isEqualTo(0);
        JsonNode result = JSON.readTree(republish.stdout());
        assertThat(result.get("tags").get(0).get("status").asText()).isEqualTo("unchanged");

        for (String[] expected :
                List.of(new String[] {"linux/amd64", "x86_64"}, new String[] {"linux/arm64", "aarch64"})) {
            String ref = host + "/demo/hello:1.0";
            Exec.run(
                            List.of("docker", "pull", "-q", "--platform", expected[0], ref),
                            Duration.ofMinutes(2),
                            Components.dockerEnv(),
                            null,
                            null)
                    .orThrow();
            Exec.Result run = Exec.run(
                            List.of("docker", "run", "--rm", "--network", "none", "--platform", expected[0], ref),
                            Duration.ofMinutes(2),
                            Components.dockerEnv(),
                            null,
                            null)
                    .orThrow();
            assertThat(run.stdout().trim()).isEqualTo(expected[1]);
        }
    }

    @Test
    void nonNativePlatformWithoutAllowEmulationIsRefusedBeforeBuilding() {
        String host = registry.get().hostPort();
        int mark = registry.get().mark();
        Exec.Result refused = multiarch(
                "build",
                "--image",
                host + "/demo/guard",
                "--tag",
                "1",
                "--platform",
                "linux/amd64",
                "--platform",
                "linux/arm64",
                "--build-arg",
                "BASE=" + base.reference(),
                "--records",
                work.resolve("r").toString(),
                "--insecure-registry",
                host,
                "examples/offline");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.stderr()).contains("linux/arm64").contains("allow-emulation");
        assertThat(registry.get().requestsSince(mark)).isEmpty();

        Exec.Result outside = multiarch(
                "build",
                "--image",
                host + "/demo/guard",
                "--tag",
                "1",
                "--platform",
                "linux/amd64",
                "--insecure-registry",
                host,
                "../..");
        assertThat(outside.exitCode()).isEqualTo(2);
        assertThat(outside.stderr()).contains("../..");
    }

    @Test
    void aTagInImageIsRefusedAndAnUnknownBuilderToo() {
        String host = registry.get().hostPort();
        int mark = registry.get().mark();
        Exec.Result tagged = multiarch(
                "build",
                "--image",
                host + "/demo/tagged:foo",
                "--tag",
                "1",
                "--platform",
                "linux/amd64",
                "--insecure-registry",
                host,
                "examples/offline");
        assertThat(tagged.exitCode()).as(tagged.stderr()).isEqualTo(2);
        assertThat(tagged.stderr())
                .contains("--image '" + host + "/demo/tagged:foo' has a tag")
                .contains("each tag with --tag");

        Exec.Result kaniko = multiarch(
                "build",
                "--image",
                host + "/demo/kaniko",
                "--tag",
                "1",
                "--platform",
                "linux/amd64",
                "--builder",
                "kaniko",
                "--insecure-registry",
                host,
                "examples/offline");
        assertThat(kaniko.exitCode()).as(kaniko.stderr()).isEqualTo(2);
        assertThat(kaniko.stderr()).contains("--builder 'kaniko' is unknown");
        assertThat(registry.get().requestsSince(mark)).isEmpty();
    }
}
