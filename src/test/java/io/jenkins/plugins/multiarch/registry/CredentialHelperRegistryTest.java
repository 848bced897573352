package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scripted credential helper in front of real registries: it runs only when a registry asks for credentials, once
 * per registry, only for that registry's own address; its failure stops the request with its message; the
 * {@code <token>} convention is never sent as a user name and password.
 */
class CredentialHelperRegistryTest {

    private static final String USER = "helper-user";
    private static final String PASSWORD = "Helper-pw-93x";

    @RegisterExtension
    static final RegistryExtension<RegistryServer> open = RegistryExtension.plain();

    @RegisterExtension
    static final RegistryExtension<RegistryServer> guarded = RegistryExtension.basicAuth(USER, PASSWORD);

    @TempDir
    Path dir;

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final LogListener listener = (level, message) -> log.add(level + " " + message);

    /**
     * docker-credential-NAME: records each server URL it is asked for, answers the guarded registry's credentials
     * for its address and "not found" for any other, or runs {@code override} instead when given.
     */
    private Path helper(String name, String override) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path script = bin.resolve("docker-credential-" + name);
        String answer = override != null
                ? override
                : "if [ \"$url\" = '" + guarded.get().hostPort() + "' ]; then\n"
                        + "  printf '{\"ServerURL\":\"%s\",\"Username\":\"" + USER + "\",\"Secret\":\"" + PASSWORD
                        + "\"}' \"$url\"\n"
                        + "else\n"
                        + "  echo 'credentials not found in native keychain'; exit 1\n"
                        + "fi";
        Files.writeString(
                script,
                "#!/bin/sh\nurl=$(cat)\nprintf '%s\\n' \"$url\" >> '" + dir.resolve("calls") + "'\n" + answer + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private List<String> calls() throws Exception {
        Path calls = dir.resolve("calls");
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }

    private RegistryClient client(Path bin, String configJson) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, configJson);
        DockerConfigCredentials creds = DockerConfigCredentials.load(file, listener)
                .withHelpers(Map.of("PATH", bin + ":/usr/bin:/bin"), Duration.ofSeconds(20));
        return new RegistryClient(RegistrySettings.builder()
                .credentials(creds)
                .insecureRegistry(open.get().hostPort())
                .insecureRegistry(guarded.get().hostPort())
                .listener(listener)
                .retries(2, Duration.ofSeconds(30))
                .retryBackoff(Duration.ofMillis(50))
                .build());
    }

    private static ImageReference ref(RegistryServer registry, String repoAndTag) {
        return ImageReference.parse(registry.ref(repoAndTag));
    }

    @Test
    void theHelperRunsOnlyWhenARegistryAsksOnceAndOnlyForThatRegistry() throws Exception {
        TestImages.Pushed free = open.images().pushImage("free/app", "1", "linux/amd64", TestImages.Format.OCI);
        TestImages.Pushed locked = guarded.images().pushImage("locked/app", "1", "linux/arm64", TestImages.Format.OCI);
        RegistryClient client = client(helper("store", null), "{\"credsStore\": \"store\"}");

        // A registry that never asks for credentials never makes the helper run.
        assertThat(client.fetchManifest(ref(open.get(), "free/app:1")).digest()).hasToString(free.digest());
        assertThat(calls()).isEmpty();

        // The guarded one asks: the helper runs once for its address, however many requests follow.
        RawManifest raw = client.fetchManifest(ref(guarded.get(), "locked/app:1"));
        assertThat(raw.digest()).hasToString(locked.digest());
        assertThat(client.putManifest(ref(guarded.get(), "locked/app:copy"), raw))
                .isEqualTo(raw.digest());
        assertThat(client.headManifest(ref(guarded.get(), "locked/app:copy"))).isPresent();
        client.fetchManifest(ref(open.get(), "free/app:1"));

        assertThat(calls()).containsExactly(guarded.get().hostPort());
        assertThat(String.join("\n", log)).doesNotContain(PASSWORD);
    }

    @Test
    void aFailingHelperStopsTheRequestWithItsErrorNotAnAnonymousRetry() throws Exception {
        guarded.images().pushImage("locked/fail", "1", "linux/amd64", TestImages.Format.OCI);
        RegistryClient client = client(
                helper("broken", "echo '" + PASSWORD + "'; echo 'gpg: decryption failed' >&2; exit 2"),
                "{\"credHelpers\": {\"" + guarded.get().hostPort() + "\": \"broken\"}}");

        assertThatThrownBy(() -> client.fetchManifest(ref(guarded.get(), "locked/fail:1")))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("docker-credential-broken")
                .hasMessageContaining("registry " + guarded.get().hostPort())
                .hasMessageNotContaining(PASSWORD)
                .hasMessageNotContaining("decryption failed");
        assertThat(calls()).containsExactly(guarded.get().hostPort());
        assertThat(String.join("\n", log)).doesNotContain(PASSWORD, "decryption failed");
    }

    @Test
    void anIdentityTokenIsNeverSentAsAUserNameAndPassword() throws Exception {
        guarded.images().pushImage("locked/token", "1", "linux/amd64", TestImages.Format.OCI);
        // Were "<token>" taken for a user name, the registry would refuse it ("refused the credentials").
        RegistryClient client = client(
                helper(
                        "tokens",
                        "printf '{\"ServerURL\":\"%s\",\"Username\":\"<token>\",\"Secret\":\"" + PASSWORD + "\"}'"
                                + " \"$url\""),
                "{\"credsStore\": \"tokens\"}");

        assertThatThrownBy(() -> client.fetchManifest(ref(guarded.get(), "locked/token:1")))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("are an identity token")
                .hasMessageContaining(guarded.get().hostPort())
                .hasMessageNotContaining(PASSWORD);
        assertThat(calls()).containsExactly(guarded.get().hostPort());
        assertThat(String.join("\n", log)).doesNotContain(PASSWORD);
    }
}
