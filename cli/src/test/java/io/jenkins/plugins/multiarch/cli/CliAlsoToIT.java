package io.jenkins.plugins.multiarch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.testing.Exec;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import io.jenkins.plugins.multiarch.testing.TestImages.Format;
import io.jenkins.plugins.multiarch.testing.TestImages.Pushed;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code push-manifest-list --also-to}: one call publishes the verified list and promotes it, digests unchanged, to
 * another registry under the same tags; a destination that fails is reported and sets the exit code, and never
 * holds a tag; a destination with a digest is refused before anything is published.
 */
class CliAlsoToIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> staging = RegistryExtension.plain();

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> prod = RegistryExtension.plain();

    @TempDir
    Path home;

    private Exec.Result multiarch(String... args) {
        List<String> command =
                new ArrayList<>(List.of("java", "-jar", System.getProperty("multiarch.jar", "target/multiarch.jar")));
        command.addAll(List.of(args));
        return Exec.run(
                command,
                Duration.ofSeconds(120),
                Map.of("DOCKER_CONFIG", home.toString(), "HOME", home.toString()),
                null,
                null);
    }

    @Test
    void publishesThenPromotesTheSameDigestUnderTheSameTags() throws Exception {
        TestImages images = staging.images();
        Pushed amd = images.pushImage("rel/app", "amd64", "linux/amd64", Format.OCI);
        Pushed arm = images.pushImage("rel/app", "arm64", "linux/arm64/v8", Format.OCI);
        String stg = staging.get().hostPort();
        String prd = prod.get().hostPort();

        Exec.Result r = multiarch(
                "push-manifest-list",
                "--image",
                stg + "/rel/app",
                "--tag",
                "1.0",
                "--tag",
                "latest",
                "--source",
                stg + "/rel/app:amd64=linux/amd64",
                "--source",
                stg + "/rel/app:arm64=linux/arm64",
                "--also-to",
                prd + "/onap/app",
                "--insecure-registry",
                stg,
                "--insecure-registry",
                prd,
                "--json");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode json = JSON.readTree(r.stdout());
        String digest = json.get("publish").get("digest").asText();
        assertThat(json.get("alsoTo").get("success").asBoolean()).isTrue();
        assertThat(json.get("alsoTo").get("digest").asText()).isEqualTo(digest);
        for (String tag : List.of("1.0", "latest")) {
            byte[] there = prod.images().getManifest("onap/app", tag).body();
            assertThat(TestImages.sha256(there)).as("prod " + tag).isEqualTo(digest);
            assertThat(there)
                    .isEqualTo(staging.images().getManifest("rel/app", tag).body());
        }
        assertThat(prod.images().getManifest("onap/app", amd.digest()).status()).isEqualTo(200);
        assertThat(prod.images().getManifest("onap/app", arm.digest()).status()).isEqualTo(200);
    }

    @Test
    void aFailedDestinationSetsTheExitCodeAndADigestDestinationIsRefusedFirst() throws Exception {
        TestImages images = staging.images();
        images.pushImage("rel/part", "amd64", "linux/amd64", Format.OCI);
        String stg = staging.get().hostPort();
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Exec.Result down = multiarch(
                "push-manifest-list",
                "--image",
                stg + "/rel/part",
                "--tag",
                "1.0",
                "--source",
                stg + "/rel/part:amd64=linux/amd64",
                "--also-to",
                "127.0.0.1:" + closed + "/gone/app",
                "--insecure-registry",
                stg,
                "--insecure-registry",
                "127.0.0.1:" + closed,
                "--timeout",
                "10");
        assertThat(down.exitCode()).as(down.stdout() + down.stderr()).isEqualTo(4);
        assertThat(down.stdout()).contains("127.0.0.1:" + closed + "/gone/app");
        assertThat(staging.images().getManifest("rel/part", "1.0").status())
                .as("the publish itself happened")
                .isEqualTo(200);

        Exec.Result digest = multiarch(
                "push-manifest-list",
                "--image",
                stg + "/rel/part",
                "--tag",
                "2.0",
                "--source",
                stg + "/rel/part:amd64=linux/amd64",
                "--also-to",
                prod.get().hostPort() + "/x/app@sha256:" + "0".repeat(64),
                "--insecure-registry",
                stg);
        assertThat(digest.exitCode()).as(digest.stderr()).isEqualTo(2);
        assertThat(digest.stderr()).contains("--also-to");
        assertThat(staging.images().getManifest("rel/part", "2.0").status())
                .as("nothing published when a destination is bad input")
                .isEqualTo(404);
    }
}
