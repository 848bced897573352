package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.LogListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The identity-token kind of {@link RegistryCredentials}, and where {@code config.json} gives one. */
class IdentityTokenCredentialsTest {

    private static final String TOKEN = "idtok-Ph4-secret";

    @TempDir
    Path dir;

    private final List<String> lines = new ArrayList<>();
    private final LogListener listener = (level, message) -> lines.add(level + " " + message);

    @Test
    void anIdentityTokenIsNeverAPasswordAndNeverShown() {
        RegistryCredentials token = RegistryCredentials.identityToken(TOKEN.toCharArray());
        RegistryCredentials lookalike =
                new RegistryCredentials(RegistryCredentials.IDENTITY_TOKEN_USERNAME, TOKEN.toCharArray());

        assertThat(token.isIdentityToken()).isTrue();
        assertThat(lookalike.isIdentityToken()).isFalse();
        assertThat(token.password()).containsExactly(TOKEN.toCharArray());
        assertThat(token.toString()).doesNotContain(TOKEN).contains("identity token");
        assertThatThrownBy(token::basicAuthorization).isInstanceOf(IllegalStateException.class);
        // a cached Bearer token obtained with one is never handed to the other
        assertThat(token.fingerprint()).isNotEqualTo(lookalike.fingerprint());
        assertThat(token.fingerprint())
                .isEqualTo(
                        RegistryCredentials.identityToken(TOKEN.toCharArray()).fingerprint());
        assertThat(token.fingerprint())
                .isNotEqualTo(
                        RegistryCredentials.identityToken("other".toCharArray()).fingerprint());
        assertThatThrownBy(() -> RegistryCredentials.identityToken(new char[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCopyKeepsTheKindAndWipingItLeavesTheOriginal() {
        RegistryCredentials token = RegistryCredentials.identityToken(TOKEN.toCharArray());
        RegistryCredentials copy = token.copy();
        copy.clear();
        assertThat(copy.isIdentityToken()).isTrue();
        assertThat(token.password()).containsExactly(TOKEN.toCharArray());
    }

    @Test
    void identityTokensInAuthsAreReturnedAndWinOverTheAuthFieldOfTheirEntry() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(
                config,
                "{\"auths\": {"
                        + "\"127.0.0.1:5000\": {\"auth\": \"" + b64("someone:") + "\", \"identitytoken\": \"" + TOKEN
                        + "\"},"
                        + "\"registry.example\": {\"identitytoken\": \"" + TOKEN + "-2\"},"
                        + "\"127.0.0.1:5001\": {\"auth\": \"" + b64("u:p") + "\"}"
                        + "}}");
        DockerConfigCredentials creds = DockerConfigCredentials.load(config, listener);

        RegistryCredentials local = creds.lookup("127.0.0.1:5000").orElseThrow();
        assertThat(local.isIdentityToken()).isTrue();
        assertThat(local.password()).containsExactly(TOKEN.toCharArray());
        assertThat(creds.lookup("registry.example").orElseThrow().password())
                .containsExactly((TOKEN + "-2").toCharArray());
        assertThat(creds.lookup("127.0.0.1:5001").orElseThrow().isIdentityToken())
                .isFalse();
        // each lookup is a copy of its own: wiping one does not wipe the next
        local.clear();
        assertThat(creds.lookup("127.0.0.1:5000").orElseThrow().password()).containsExactly(TOKEN.toCharArray());
        assertThat(lines).noneMatch(l -> l.startsWith("WARN"));
        assertThat(creds.toString()).doesNotContain(TOKEN);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
