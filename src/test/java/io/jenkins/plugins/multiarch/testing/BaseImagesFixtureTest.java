package io.jenkins.plugins.multiarch.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Proves {@link BaseImages} pushes a working amd64 + arm64 busybox base. */
class BaseImagesFixtureTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> registry =
            RegistryExtension.plain().requiring(Component.BUSYBOX);

    private static BaseImages.Base base;

    @BeforeAll
    static void pushBase() {
        base = BaseImages.push(registry.get());
    }

    @Test
    void eachPlatformsLayerHoldsBusyboxForThatArchitectureWithItsLinks() throws Exception {
        TestImages images = TestImages.forRegistry(registry.get());
        assertThat(base.reference()).isEqualTo(registry.get().hostPort() + "/base/busybox:1");
        TestImages.Fetched list = images.getManifest("base/busybox", "1");
        assertThat(list.mediaType()).isEqualTo(TestImages.DOCKER_LIST);
        JsonNode entries = JSON.readTree(list.body()).get("manifests");
        assertThat(entries).hasSize(2);
        Map<String, Integer> elfMachineByArch = Map.of("amd64", 0x3E, "arm64", 0xB7);
        for (JsonNode entry : entries) {
            String arch = entry.get("platform").get("architecture").asText();
            JsonNode manifest = JSON.readTree(
                    images.getManifest("base/busybox", entry.get("digest").asText())
                            .body());
            JsonNode config = JSON.readTree(images.getBlob(
                    "base/busybox", manifest.get("config").get("digest").asText()));
            assertThat(config.get("architecture").asText()).isEqualTo(arch);
            byte[] layer = images.getBlob(
                    "base/busybox", manifest.get("layers").get(0).get("digest").asText());
            byte[] tar = Tar.gunzip(layer);
            assertThat(config.get("rootfs").get("diff_ids").get(0).asText()).isEqualTo(TestImages.sha256(tar));
            Map<String, Tar.Entry> files = Tar.read(tar);
            assertThat(Components.elfMachine(files.get("bin/busybox").content()))
                    .isEqualTo(elfMachineByArch.get(arch));
            assertThat(files.get("bin/busybox").mode()).isEqualTo(0755);
            for (String link : List.of("sh", "uname", "cat", "echo", "ls", "mkdir", "true")) {
                assertThat(files.get("bin/" + link).type()).isEqualTo('2');
                assertThat(files.get("bin/" + link).linkTarget()).isEqualTo("busybox");
            }
        }
        assertThat(entries.get(1).get("platform").get("variant").asText()).isEqualTo("v8");
    }

    @Test
    void theSameBinariesGiveTheSameDigests() {
        BaseImages.Base again = BaseImages.push(
                TestImages.forRegistry(registry.get()),
                registry.get().hostPort(),
                "base/again",
                "1",
                TestImages.Format.DOCKER);
        assertThat(again.index().digest()).isEqualTo(base.index().digest());
    }

    @Test
    void dockerRunsTheBaseForBothPlatforms() {
        Components.require(Component.DOCKERD, Component.DOCKER_CLI, Component.QEMU_AARCH64);
        Map<String, String> expected = Map.of("linux/amd64", "x86_64", "linux/arm64/v8", "aarch64");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String ref = registry.get()
                    .ref("base/busybox@" + base.perPlatform().get(e.getKey()).digest());
            Exec.Result run = Exec.run(
                            List.of("docker", "run", "--rm", "--network", "none", ref, "uname", "-m"),
                            Duration.ofMinutes(2),
                            Components.dockerEnv(),
                            null,
                            null)
                    .orThrow();
            assertThat(run.stdout().strip()).isEqualTo(e.getValue());
            Exec.run(
                    List.of("docker", "image", "rm", "-f", ref),
                    Duration.ofMinutes(1),
                    Components.dockerEnv(),
                    null,
                    null);
        }
        // by tag with --platform, as a Dockerfile's FROM resolves it
        String tagRef = base.reference();
        Exec.run(
                        List.of("docker", "pull", "--platform", "linux/arm64", tagRef),
                        Duration.ofMinutes(2),
                        Components.dockerEnv(),
                        null,
                        null)
                .orThrow();
        Exec.Result arch = Exec.run(
                        List.of("docker", "image", "inspect", "--format", "{{.Architecture}}", tagRef),
                        Duration.ofSeconds(30),
                        Components.dockerEnv(),
                        null,
                        null)
                .orThrow();
        assertThat(arch.stdout().strip()).isEqualTo("arm64");
        Exec.run(
                List.of("docker", "image", "rm", "-f", tagRef),
                Duration.ofMinutes(1),
                Components.dockerEnv(),
                null,
                null);
    }
}
