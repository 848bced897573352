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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code multiarch copy} as a user runs it (the packaged jar): a list from one registry to two others, one with
 * basic auth logged in through --password-stdin; the report per destination, --json, the exit codes, and no
 * password anywhere in the output.
 */
class CliCopyIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = "cli-copier";
    private static final String PASSWORD = "Cli-copy-pw-2718";

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> source = RegistryExtension.plain();

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> destination = RegistryExtension.basicAuth(USER, PASSWORD);

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> mirror = RegistryExtension.plain();

    @TempDir
    Path home;

    private Exec.Result multiarch(byte[] stdin, String... args) {
        List<String> command =
                new ArrayList<>(List.of("java", "-jar", System.getProperty("multiarch.jar", "target/multiarch.jar")));
        command.addAll(List.of(args));
        // an empty Docker config: no credentials leak in from the machine running the tests
        return Exec.run(
                command,
                Duration.ofSeconds(120),
                Map.of("DOCKER_CONFIG", home.toString(), "HOME", home.toString()),
                null,
                stdin);
    }

    private static Pushed pushList(String repo) {
        TestImages images = source.images();
        Pushed amd = images.pushImage(repo, null, "linux/amd64", Format.OCI);
        Pushed arm = images.pushImage(repo, null, "linux/arm64/v8", Format.OCI);
        return images.pushIndex(
                repo,
                "1.0",
                Format.OCI,
                List.of(TestImages.entry(amd), TestImages.entry(arm), images.attestationFor(repo, amd)));
    }

    @Test
    void copiesToTwoRegistriesReportsEachAndIsIdempotent() throws Exception {
        Pushed list = pushList("cli/app");
        String src = source.get().hostPort();
        String dst = destination.get().hostPort();
        String mir = mirror.get().hostPort();
        String[] args = {
            "copy",
            src + "/cli/app:1.0",
            dst + "/prod/app",
            mir + "/mirror/app:stable",
            "--tag",
            "latest",
            "--insecure-registry",
            src,
            "--insecure-registry",
            dst,
            "--insecure-registry",
            mir,
            "--username",
            USER,
            "--password-stdin",
            "--login-registry",
            dst
        };
        byte[] password = (PASSWORD + "\n").getBytes(StandardCharsets.UTF_8);

        Exec.Result first = multiarch(password, args);
        assertThat(first.exitCode()).as(first.stderr()).isEqualTo(0);
        assertThat(first.stdout())
                .contains("digest:  " + list.digest())
                .contains(dst + "/prod/app")
                .contains("copied")
                .contains("2 of 2 destination(s) hold " + list.digest())
                .contains("docker pull " + dst + "/prod/app@" + list.digest());
        assertThat(first.stdout() + first.stderr()).doesNotContain(PASSWORD);
        // the destination without a tag of its own got --tag; the one with a tag got both
        assertThat(TestImages.sha256(
                        destination.images().getManifest("prod/app", "latest").body()))
                .isEqualTo(list.digest());
        assertThat(mirror.images().getManifest("mirror/app", "stable").body()).isEqualTo(list.manifest());
        assertThat(mirror.images().getManifest("mirror/app", "latest").body()).isEqualTo(list.manifest());

        Exec.Result again = multiarch(password, concat(args, "--json"));
        assertThat(again.exitCode()).as(again.stderr()).isEqualTo(0);
        JsonNode json = JSON.readTree(again.stdout());
        assertThat(json.get("success").asBoolean()).isTrue();
        assertThat(json.get("digest").asText()).isEqualTo(list.digest());
        assertThat(json.get("destinations")).hasSize(2).allSatisfy(d -> {
            assertThat(d.get("outcome").asText()).isEqualTo("unchanged");
            assertThat(d.get("blobsCopied").asInt()).isZero();
        });
    }

    @Test
    void aFailedDestinationIsExitFourAndTheOtherStillGetsTheList() throws Exception {
        Pushed list = pushList("cli/partial");
        String src = source.get().hostPort();
        String mir = mirror.get().hostPort();
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String down = "127.0.0.1:" + closedPort;
        Exec.Result r = multiarch(
                null,
                "copy",
                src + "/cli/partial:1.0",
                down + "/gone/app",
                mir + "/mirror/partial",
                "--insecure-registry",
                src,
                "--insecure-registry",
                mir,
                "--insecure-registry",
                down,
                "--timeout",
                "20",
                "--json");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(4);
        JsonNode json = JSON.readTree(r.stdout());
        assertThat(json.get("success").asBoolean()).isFalse();
        assertThat(json.get("exitCode").asInt()).isEqualTo(4);
        JsonNode failed = json.get("destinations").get(0);
        assertThat(failed.get("outcome").asText()).isEqualTo("failed");
        assertThat(failed.get("error").asText()).contains("cannot reach " + down);
        assertThat(json.get("destinations").get(1).get("outcome").asText()).isEqualTo("copied");
        assertThat(mirror.images().getManifest("mirror/partial", "1.0").body()).isEqualTo(list.manifest());
    }

    @Test
    void badInputIsExitTwo() {
        String src = source.get().hostPort();
        Exec.Result noDestination = multiarch(null, "copy", src + "/cli/app:1.0");
        assertThat(noDestination.exitCode()).isEqualTo(2);
        Exec.Result digestDestination = multiarch(
                null,
                "copy",
                src + "/cli/app:1.0",
                src + "/other@sha256:" + "0".repeat(64),
                "--insecure-registry",
                src);
        assertThat(digestDestination.exitCode()).isEqualTo(2);
        assertThat(digestDestination.stderr()).contains("names a digest");
        Exec.Result parallel = multiarch(
                null, "copy", src + "/cli/app:1.0", src + "/other", "--parallel", "0", "--insecure-registry", src);
        assertThat(parallel.exitCode()).isEqualTo(2);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
