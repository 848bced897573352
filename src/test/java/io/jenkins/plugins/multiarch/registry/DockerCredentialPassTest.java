package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.Exec;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing: Debian's {@code docker-credential-pass} (golang-docker-credential-helpers) over a {@code pass}
 * store encrypted to a throwaway gpg key, both made here in a private HOME, GNUPGHOME and PASSWORD_STORE_DIR. The
 * credentials of a TLS registry with basic auth are stored with {@code docker-credential-pass store}, exactly as
 * {@code docker login} stores them, and the registry client then reads and writes manifests with them.
 */
class DockerCredentialPassTest {

    private static final String USER = "pass-user";
    private static final String PASSWORD = "Pass-Store-pw-5c1";
    private static final String KEY_EMAIL = "multiarch-test@example.invalid";

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry = RegistryExtension.tlsBasicAuth(USER, PASSWORD);

    /** A second registry whose credentials are not in the store. */
    @RegisterExtension
    static final RegistryExtension<RegistryServer> unknown = RegistryExtension.tlsBasicAuth("someone", "Other-pw-71");

    private static Path home;
    private static Map<String, String> env;

    @TempDir
    Path dir;

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final LogListener listener = (level, message) -> log.add(level + " " + message);

    @BeforeAll
    static void makeStore() throws Exception {
        requireTools("docker-credential-pass", "pass", "gpg", "gpgconf");
        // Short: gpg-agent's socket may live in GNUPGHOME, and a socket path has a length limit.
        home = Files.createTempDirectory("mapass");
        Path gnupg = Files.createDirectory(
                home.resolve("g"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("GNUPGHOME", gnupg.toString());
        env.put("PASSWORD_STORE_DIR", home.resolve("store").toString());
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));

        // A key without passphrase: nothing ever prompts.
        Path params = home.resolve("key-params");
        Files.writeString(
                params,
                String.join(
                        "\n",
                        "%no-protection",
                        "Key-Type: eddsa",
                        "Key-Curve: ed25519",
                        "Key-Usage: sign",
                        "Subkey-Type: ecdh",
                        "Subkey-Curve: cv25519",
                        "Subkey-Usage: encrypt",
                        "Name-Real: multiarch test",
                        "Name-Email: " + KEY_EMAIL,
                        "Expire-Date: 0",
                        "%commit",
                        ""));
        run(List.of("gpg", "--batch", "--gen-key", params.toString()), null);
        run(List.of("pass", "init", KEY_EMAIL), null);
        // What docker login does with credsStore "pass": the helper's store command, the JSON on stdin.
        String json = "{\"ServerURL\":\"" + registry.get().hostPort() + "\",\"Username\":\"" + USER + "\",\"Secret\":\""
                + PASSWORD + "\"}";
        run(List.of("docker-credential-pass", "store"), json);
        String listed = run(List.of("docker-credential-pass", "list"), "").stdout();
        assertThat(listed).contains(registry.get().hostPort()).contains(USER);
    }

    @AfterAll
    static void removeStore() {
        if (env != null) {
            Exec.run(List.of("gpgconf", "--kill", "gpg-agent"), Duration.ofSeconds(20), env, null, null);
        }
        if (home != null) {
            Exec.deleteTree(home);
        }
    }

    /** As Components.require: a missing tool fails under CI (or MULTIARCH_REQUIRE_COMPONENTS=true), else skips. */
    private static void requireTools(String... tools) {
        List<String> missing = new ArrayList<>();
        for (String tool : tools) {
            if (Components.onPath(tool).isEmpty()) {
                missing.add(tool);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String reason = "missing test component(s): " + String.join(", ", missing)
                + " (Debian packages golang-docker-credential-helpers, pass, gnupg: scripts/install-deps.sh)";
        if (Components.underCi() || "true".equalsIgnoreCase(System.getenv("MULTIARCH_REQUIRE_COMPONENTS"))) {
            Assertions.fail(reason);
        }
        Assumptions.abort(reason);
    }

    private static Exec.Result run(List<String> command, String stdin) {
        return Exec.run(
                        command,
                        Duration.ofSeconds(60),
                        env,
                        null,
                        stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8))
                .orThrow();
    }

    private DockerConfigCredentials config(String json, Map<String, String> helperEnv) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return DockerConfigCredentials.load(file, listener).withHelpers(helperEnv, Duration.ofSeconds(30));
    }

    private RegistryClient client(CredentialsSource credentials) {
        return new RegistryClient(RegistrySettings.builder()
                .credentials(credentials)
                .caFile(registry.get().caFile())
                .listener(listener)
                .retries(2, Duration.ofSeconds(60))
                .retryBackoff(Duration.ofMillis(50))
                .build());
    }

    private static ImageReference ref(RegistryServer server, String repoAndTag) {
        return ImageReference.parse(server.ref(repoAndTag));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void credsStorePassGivesTheRegistryClientTheStoredCredentials() throws Exception {
        TestImages.Pushed image = registry.images().pushImage("pass/app", "1", "linux/arm64", TestImages.Format.OCI);
        // As docker login leaves config.json with credsStore: an empty placeholder under auths.
        DockerConfigCredentials creds =
                config("{\"auths\": {\"" + registry.get().hostPort() + "\": {}}, \"credsStore\": \"pass\"}", env);
        RegistryClient client = client(creds);

        RawManifest raw = client.fetchManifest(ref(registry.get(), "pass/app:1"));
        assertThat(raw.digest()).hasToString(image.digest());
        assertThat(client.putManifest(ref(registry.get(), "pass/app:released"), raw))
                .isEqualTo(raw.digest());
        assertThat(client.headManifest(ref(registry.get(), "pass/app:released")))
                .get()
                .satisfies(d -> assertThat(d.digest()).isEqualTo(raw.digest()));
        assertThat(String.join("\n", log)).doesNotContain(PASSWORD);
    }

    @Test
    void credHelpersPassWinsOverCredsStoreAndOverAWrongAuthsEntry() throws Exception {
        registry.images().pushImage("pass/precedence", "1", "linux/amd64", TestImages.Format.OCI);
        String host = registry.get().hostPort();
        DockerConfigCredentials creds = config(
                "{\"auths\": {\"" + host + "\": {\"auth\": \"" + b64(USER + ":Wrong-pw-000") + "\"}},"
                        + " \"credsStore\": \"not-installed\", \"credHelpers\": {\"" + host + "\": \"pass\"}}",
                env);

        RegistryCredentials found = creds.lookup(host).orElseThrow();
        assertThat(found.username()).isEqualTo(USER);
        assertThat(found.password()).containsExactly(PASSWORD.toCharArray());
        assertThat(client(creds).fetchManifest(ref(registry.get(), "pass/precedence:1")))
                .isNotNull();
    }

    @Test
    void nothingStoredForARegistryMeansAnonymousWhichThatRegistryRefuses() throws Exception {
        unknown.images().pushImage("pass/other", "1", "linux/amd64", TestImages.Format.OCI);
        DockerConfigCredentials creds = config("{\"credsStore\": \"pass\"}", env);
        assertThat(creds.lookup(unknown.get().hostPort())).isEmpty();

        RegistryClient client = new RegistryClient(RegistrySettings.builder()
                .credentials(creds)
                .caFile(unknown.get().caFile())
                .listener(listener)
                .retries(2, Duration.ofSeconds(60))
                .build());
        assertThatThrownBy(() -> client.fetchManifest(ref(unknown.get(), "pass/other:1")))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("none are configured for " + unknown.get().hostPort());
    }

    @Test
    void aStoreThatCannotBeDecryptedIsAnErrorNamingTheHelperAndTheRegistry() throws Exception {
        // The same store, but a GNUPGHOME without the key: pass show fails, so the helper does.
        Path emptyGnupg = Files.createDirectory(
                dir.resolve("g"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Map<String, String> noKey = new HashMap<>(env);
        noKey.put("GNUPGHOME", emptyGnupg.toString());
        DockerConfigCredentials creds = config("{\"credsStore\": \"pass\"}", noKey);
        try {
            assertThatThrownBy(() -> creds.lookup(registry.get().hostPort()))
                    .isInstanceOf(RegistryAuthenticationException.class)
                    .hasMessageContaining("docker-credential-pass")
                    .hasMessageContaining("registry " + registry.get().hostPort())
                    .hasMessageContaining("failed with exit code")
                    .hasMessageNotContaining("decryption")
                    .hasMessageNotContaining("secret key")
                    .hasMessageNotContaining(PASSWORD);
        } finally {
            Exec.run(List.of("gpgconf", "--kill", "gpg-agent"), Duration.ofSeconds(20), noKey, null, null);
        }
    }
}
