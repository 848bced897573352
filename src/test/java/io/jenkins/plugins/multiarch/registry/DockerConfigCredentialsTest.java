package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigCredentialsTest {

    @TempDir
    Path dir;

    private final List<String> lines = new ArrayList<>();
    private final LogListener listener = (level, message) -> lines.add(level + " " + message);

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsAuthsAsDockerLoginWritesThem() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(
                config,
                "{\"auths\": {"
                        + "\"127.0.0.1:5000\": {\"auth\": \"" + b64("alice:pa:ss") + "\"},"
                        + "\"https://index.docker.io/v1/\": {\"auth\": \"" + b64("hubuser:hubpass") + "\"},"
                        + "\"https://Registry.Example/\": {\"username\": \"bob\", \"password\": \"bobpass\"}"
                        + "}}");
        DockerConfigCredentials creds = DockerConfigCredentials.load(config, listener);

        RegistryCredentials local = creds.lookup("127.0.0.1:5000").orElseThrow();
        assertThat(local.username()).isEqualTo("alice");
        assertThat(local.password()).containsExactly("pa:ss".toCharArray());
        assertThat(creds.lookup("registry-1.docker.io").orElseThrow().username())
                .isEqualTo("hubuser");
        assertThat(creds.lookup("docker.io").orElseThrow().username()).isEqualTo("hubuser");
        assertThat(creds.lookup("registry.example").orElseThrow().username()).isEqualTo("bob");
        assertThat(creds.lookup("127.0.0.1:5001")).isEmpty();
        assertThat(creds.toString()).doesNotContain("pa:ss", "hubpass", "bobpass");
        assertThat(local.toString()).doesNotContain("pa:ss").contains("alice");
    }

    @Test
    void dockerConfigEnvironmentVariableIsHonoured() throws Exception {
        Path custom = Files.createDirectories(dir.resolve("custom"));
        Files.writeString(
                custom.resolve("config.json"), "{\"auths\": {\"127.0.0.1:5000\": {\"auth\": \"" + b64("u:p") + "\"}}}");
        Path located = DockerConfigCredentials.locate(Map.of("DOCKER_CONFIG", custom.toString()), dir.resolve("home"));
        assertThat(located).isEqualTo(custom.resolve("config.json"));
        assertThat(DockerConfigCredentials.load(located, listener).lookup("127.0.0.1:5000"))
                .isPresent();
        assertThat(DockerConfigCredentials.locate(Map.of(), dir.resolve("home")))
                .isEqualTo(dir.resolve("home").resolve(".docker").resolve("config.json"));
    }

    @Test
    void missingFileMeansNoCredentials() {
        DockerConfigCredentials creds = DockerConfigCredentials.load(dir.resolve("nope.json"), listener);
        assertThat(creds.lookup("127.0.0.1:5000")).isEmpty();
        assertThat(lines).isEmpty();
    }

    @Test
    void brokenFilesAreInputErrorsNamingTheFile() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"auths\": {\"h\": {\"auth\": \"%%%not-base64\"}}}");
        assertThatThrownBy(() -> DockerConfigCredentials.load(config, listener))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(config.toString())
                .hasMessageContaining("base64");
        Files.writeString(config, "{not json");
        assertThatThrownBy(() -> DockerConfigCredentials.load(config, listener))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(config.toString());
    }

    @Test
    void syntaxErrorNamesLineAndColumnButNeverThePassword() throws Exception {
        Path config = dir.resolve("config.json");
        // A hand-edited file with an unquoted password: Jackson's own message would quote it.
        Files.writeString(config, "{\"auths\": {\"h:5000\": {\"username\": \"bob\",\n  \"password\": hunter2secret}}}");
        assertThatThrownBy(() -> DockerConfigCredentials.load(config, listener))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(config.toString())
                .hasMessageContaining("line 2, column")
                .satisfies(e -> {
                    StringBuilder all = new StringBuilder();
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        all.append(t.getMessage()).append('\n');
                    }
                    assertThat(all.toString()).doesNotContain("hunter2");
                });
    }

    @Test
    void credentialsSourcesChainAndMatchHostSpellings() {
        RegistryCredentials a = RegistryCredentials.of("a", "pa");
        RegistryCredentials b = RegistryCredentials.of("b", "pb");
        CredentialsSource chain = CredentialsSource.chain(
                CredentialsSource.of("https://index.docker.io/v1/", a), CredentialsSource.of("127.0.0.1:5000", b));
        assertThat(chain.lookup("registry-1.docker.io")).containsSame(a);
        assertThat(chain.lookup("127.0.0.1:5000")).containsSame(b);
        assertThat(chain.lookup("other:1")).isEmpty();
        assertThat(CredentialsSource.none().lookup("127.0.0.1:5000")).isEmpty();
    }

    @Test
    void clearWipesThePassword() {
        RegistryCredentials c = RegistryCredentials.of("u", "secret");
        String before = c.fingerprint();
        c.clear();
        assertThat(c.password()).containsOnly('\0');
        assertThat(c.fingerprint()).isNotEqualTo(before);
        assertThat(RegistryCredentials.of("u", "x").fingerprint())
                .isNotEqualTo(RegistryCredentials.of("u", "y").fingerprint());
    }
}
