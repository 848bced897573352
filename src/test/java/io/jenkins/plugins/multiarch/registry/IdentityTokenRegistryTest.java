package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import io.jenkins.plugins.multiarch.testing.TokenIssuer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Identity tokens (docker's OAuth2 refresh tokens) against real registries: distribution 2.8 with token auth, whose
 * token service ({@link TokenIssuer}) speaks the refresh-token grant, and one with Basic auth. A helper's
 * {@code <token>} answer and an {@code identitytoken} in {@code auths} are traded for scoped Bearer tokens with
 * {@code POST realm} and no Authorization header; they are never sent as Basic, and never shown.
 */
class IdentityTokenRegistryTest {

    private static final String USER = "oauth-user";
    private static final String PASSWORD = "Oauth-pw-61q";
    private static final String REFRESH = "refresh-Tk9/+q=x-7731";
    private static final String WRONG = "revoked-Tk3-0518";

    @RegisterExtension
    static final RegistryExtension<RegistryServer> token =
            RegistryExtension.tokenAuth(() -> new TokenIssuer(USER, PASSWORD).addRefreshToken(USER, REFRESH));

    @RegisterExtension
    static final RegistryExtension<RegistryServer> basic = RegistryExtension.basicAuth(USER, PASSWORD);

    @TempDir
    Path dir;

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final LogListener listener = (level, message) -> log.add(level + " " + message);

    @BeforeEach
    void resetIssuer() {
        token.issuer().clearRequests();
    }

    /** docker-credential-NAME answering {@code <token>} and {@code secret} for whatever server it is asked. */
    private Path tokenHelper(String name, String secret) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path script = bin.resolve("docker-credential-" + name);
        Files.writeString(
                script,
                "#!/bin/sh\nurl=$(cat)\n"
                        + "printf '{\"ServerURL\":\"%s\",\"Username\":\"<token>\",\"Secret\":\"" + secret
                        + "\"}' \"$url\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private RegistryClient client(Path bin, String configJson, String... insecure) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, configJson);
        DockerConfigCredentials creds = DockerConfigCredentials.load(file, listener)
                .withHelpers(Map.of("PATH", (bin == null ? "" : bin + ":") + "/usr/bin:/bin"), Duration.ofSeconds(20));
        RegistrySettings.Builder settings = RegistrySettings.builder()
                .credentials(creds)
                .listener(listener)
                .retries(2, Duration.ofSeconds(30))
                .retryBackoff(Duration.ofMillis(50));
        for (String host : insecure) {
            settings.insecureRegistry(host);
        }
        return new RegistryClient(settings.build());
    }

    private static ImageReference ref(String hostPort, String repoAndTag) {
        return ImageReference.parse(hostPort + "/" + repoAndTag);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Every request the client made to the token service was the refresh-token grant, without Authorization. */
    private static void assertOnlyRefreshTokenGrants(List<TokenIssuer.TokenRequest> seen) {
        assertThat(seen).isNotEmpty().allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.grantType()).isEqualTo("refresh_token");
            assertThat(r.clientId()).isEqualTo("multiarch");
            assertThat(r.service()).isEqualTo(TokenIssuer.SERVICE);
            assertThat(r.contentType()).startsWith("application/x-www-form-urlencoded");
            assertThat(r.authorizationPresent()).isFalse();
            assertThat(r.basicUser()).isNull();
            assertThat(r.query()).isNull(); // the token travels in the body, never in the URL
            assertThat(r.user()).isEqualTo(USER);
            assertThat(r.status()).isEqualTo(200);
        });
    }

    private void assertNothingSecretLogged(String... secrets) {
        String all = String.join("\n", log);
        assertThat(all).doesNotContain(secrets).doesNotContain("eyJ");
    }

    @Test
    void aHelpersIdentityTokenPullsAndPushesThroughTheRefreshTokenGrant() throws Exception {
        String host = token.get().hostPort();
        TestImages.Pushed image = token.images().pushImage("oauth/app", "1", "linux/arm64", TestImages.Format.OCI);
        token.issuer().clearRequests(); // what TestImages asked (Basic) is not ours
        RegistryClient client = client(tokenHelper("oauth", REFRESH), "{\"credsStore\": \"oauth\"}", host);

        RawManifest raw = client.fetchManifest(ref(host, "oauth/app:1"));
        assertThat(raw.digest()).hasToString(image.digest());
        assertThat(client.putManifest(ref(host, "oauth/app:copy"), raw)).isEqualTo(raw.digest());
        byte[] blob = ("identity token blob " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(blob);
        client.pushBlob(ref(host, "oauth/blobs"), digest, blob);
        assertThat(client.blobExists(ref(host, "oauth/blobs"), digest)).isTrue();
        assertThat(client.headManifest(ref(host, "oauth/app:copy"))).isPresent();

        List<TokenIssuer.TokenRequest> seen = token.issuer().requests();
        assertOnlyRefreshTokenGrants(seen);
        // scoped like any token: pull for the fetch, push for the writes, per repository
        assertThat(seen).flatExtracting(TokenIssuer.TokenRequest::scopes).contains("repository:oauth/app:pull");
        assertThat(seen)
                .anySatisfy(r -> assertThat(r.scopes())
                        .anyMatch(s -> s.startsWith("repository:oauth/app:") && s.contains("push")));
        assertThat(seen)
                .anySatisfy(r -> assertThat(r.scopes())
                        .anyMatch(s -> s.startsWith("repository:oauth/blobs:") && s.contains("push")));
        assertNothingSecretLogged(REFRESH);
    }

    @Test
    void anIdentityTokenInAuthsWorksTheSameAndWinsOverItsAuthField() throws Exception {
        String host = token.get().hostPort();
        TestImages.Pushed image = token.images().pushImage("oauth/auths", "1", "linux/amd64", TestImages.Format.OCI);
        token.issuer().clearRequests();
        // as docker login writes it after an OAuth login: "auth" holds only the user name, the token is beside it
        RegistryClient client = client(
                null,
                "{\"auths\": {\"" + host + "\": {\"auth\": \"" + b64(USER + ":") + "\", \"identitytoken\": \"" + REFRESH
                        + "\"}}}",
                host);

        assertThat(client.fetchManifest(ref(host, "oauth/auths:1")).digest()).hasToString(image.digest());

        assertOnlyRefreshTokenGrants(token.issuer().requests());
        assertNothingSecretLogged(REFRESH);
    }

    @Test
    void aRefusedIdentityTokenIsAClearAuthenticationErrorThatDoesNotShowIt() throws Exception {
        String host = token.get().hostPort();
        token.images().pushImage("oauth/refused", "1", "linux/amd64", TestImages.Format.OCI);
        token.issuer().clearRequests();
        RegistryClient client = client(tokenHelper("revoked", WRONG), "{\"credsStore\": \"revoked\"}", host);

        assertThatThrownBy(() -> client.fetchManifest(ref(host, "oauth/refused:1")))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("refused the identity token")
                .hasMessageContaining("docker login " + host)
                .hasMessageNotContaining(WRONG)
                .satisfies(e -> assertThat(((RegistryAuthenticationException) e).statusCode())
                        .isEqualTo(401));

        assertThat(token.issuer().requests()).isNotEmpty().allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.grantType()).isEqualTo("refresh_token");
            assertThat(r.authorizationPresent()).isFalse();
            assertThat(r.status()).isEqualTo(401);
        });
        assertNothingSecretLogged(WRONG);
    }

    @Test
    void aBasicAuthRegistryGetsNoAuthorizationFromAnIdentityToken() throws Exception {
        basic.images().pushImage("oauth/basic", "1", "linux/amd64", TestImages.Format.OCI);
        try (FrontProxy front = new FrontProxy(basic.get(), false)) {
            String host = front.hostPort();
            RegistryClient client =
                    client(tokenHelper("basic-token", REFRESH), "{\"credsStore\": \"basic-token\"}", host);

            assertThatThrownBy(() -> client.fetchManifest(ref(host, "oauth/basic:1")))
                    .isInstanceOf(RegistryAuthenticationException.class)
                    .hasMessageContaining("requires a user name and password")
                    .hasMessageContaining("are an identity token")
                    .hasMessageContaining(host)
                    .hasMessageNotContaining(REFRESH);

            assertThat(front.seen()).isNotEmpty().noneMatch(FrontProxy.Seen::authorization);
        }
        assertNothingSecretLogged(REFRESH, b64("<token>:" + REFRESH));
    }

    @Test
    void anIdentityTokenGoesToNoTokenServiceTheRealmRulesRefuse() throws Exception {
        String realm = token.issuer().realm();
        String elsewhere = realm.replace("127.0.0.1", "localhost"); // plain http on a host nobody named insecure
        try (FrontProxy front = new FrontProxy(token.get(), false).rewriteChallenge(v -> v.replace(realm, elsewhere))) {
            String host = front.hostPort();
            RegistryClient client = client(tokenHelper("realm", REFRESH), "{\"credsStore\": \"realm\"}", host);

            assertThatThrownBy(() -> client.fetchManifest(ref(host, "oauth/realm:1")))
                    .isInstanceOf(RegistryAuthenticationException.class)
                    .hasMessageContaining("plain-http token service on another host")
                    .hasMessageNotContaining(REFRESH);
        }
        assertThat(token.issuer().requests()).isEmpty();
        assertNothingSecretLogged(REFRESH);
    }
}
