package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.testing.FaultProxy;
import io.jenkins.plugins.multiarch.testing.TokenIssuer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The token fetcher on its own, against the real token issuer (real JWTs, Basic credentials checked) behind a
 * fault-injecting proxy: it runs on the plain exchange (retries, the caller's deadline, no redirects), with no
 * registry request loop above it to call back into.
 */
class TokenFetcherTest {

    private static final String USER = "fetcher";
    private static final String PASSWORD = "F3tch-s3cret-pw";
    private static final Set<String> SCOPES = Set.of("repository:team/app:pull");

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final LogListener listener = (level, message) -> log.add(level + " " + message);
    private TokenIssuer issuer;
    private FaultProxy proxy;
    private Transport transport;
    private TokenFetcher fetcher;
    private Endpoint registry;
    private AuthChallenge challenge;

    @BeforeEach
    void start() {
        issuer = new TokenIssuer(USER, PASSWORD);
        proxy = new FaultProxy(URI.create("http://127.0.0.1:" + issuer.port()), null);
        RegistrySettings settings = RegistrySettings.builder()
                .listener(listener)
                .retries(3, Duration.ofSeconds(20))
                .retryBackoff(Duration.ofMillis(50))
                .build();
        transport = new Transport(settings);
        // The registry is named insecure: a plain-http token service on its host is then allowed (TokenRealm).
        registry = new Endpoint(proxy.hostPort(), "http");
        fetcher = new TokenFetcher(new Exchange(settings, transport), Set.of(proxy.hostPort()), Clock.systemUTC());
        challenge = new AuthChallenge(
                AuthChallenge.BEARER, Map.of("realm", proxy.baseUri() + "/token", "service", TokenIssuer.SERVICE));
    }

    @AfterEach
    void stop() {
        proxy.close();
        issuer.close();
    }

    private BearerToken fetch(Optional<RegistryCredentials> creds, Duration deadline) {
        return fetcher.fetch(registry, challenge, SCOPES, creds, "pull team/app", Deadline.after(deadline));
    }

    private static Optional<RegistryCredentials> credentials(String password) {
        return Optional.of(RegistryCredentials.of(USER, password));
    }

    @Test
    void fetchesATokenForTheScopesWithBasicCredentials() {
        BearerToken token = fetch(credentials(PASSWORD), Duration.ofSeconds(20));

        assertThat(token.authorization()).startsWith("Bearer eyJ");
        assertThat(issuer.requests()).singleElement().satisfies(r -> {
            assertThat(r.user()).isEqualTo(USER);
            assertThat(r.service()).isEqualTo(TokenIssuer.SERVICE);
            assertThat(r.scopes()).containsExactlyElementsOf(SCOPES);
        });
        assertThat(transport.requestCount()).isEqualTo(1);
        assertThat(String.join("\n", log)).doesNotContain(PASSWORD, "eyJ").contains("(auth: basic)");
    }

    @Test
    void aTokenServiceThatIsBrieflyUnavailableIsAskedAgain() {
        proxy.on("GET", "/token").times(2).status(503);

        BearerToken token = fetch(credentials(PASSWORD), Duration.ofSeconds(20));

        assertThat(token.authorization()).startsWith("Bearer ");
        assertThat(transport.requestCount()).isEqualTo(3);
        assertThat(issuer.requests()).hasSize(1);
    }

    @Test
    void aRedirectFromTheTokenServiceIsNeverFollowedWithCredentials() {
        proxy.on("GET", "/token").status(302);

        assertThatThrownBy(() -> fetch(credentials(PASSWORD), Duration.ofSeconds(20)))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("never followed with credentials")
                .hasMessageNotContaining(PASSWORD);
        assertThat(transport.requestCount()).isEqualTo(1);
        assertThat(issuer.requests()).isEmpty();
    }

    @Test
    void aRefusedPasswordIsAnAuthenticationErrorNamingTheUserNotThePassword() {
        assertThatThrownBy(() -> fetch(credentials("wrong-" + PASSWORD), Duration.ofSeconds(20)))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("refused the credentials of user " + USER)
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void aSlowTokenServiceGetsOnlyWhatIsLeftOfTheRequestsDeadline() {
        proxy.on("GET", "/token").always().delay(Duration.ofSeconds(5));
        long start = System.nanoTime();

        assertThatThrownBy(() -> fetch(credentials(PASSWORD), Duration.ofSeconds(1)))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("did not answer in time");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void aPlainHttpTokenServiceOnAHostNotNamedInsecureGetsNoCredentials() {
        TokenFetcher strict = new TokenFetcher(
                new Exchange(RegistrySettings.builder().build(), transport), Set.of(), Clock.systemUTC());

        assertThatThrownBy(() -> strict.fetch(
                        registry,
                        challenge,
                        SCOPES,
                        credentials(PASSWORD),
                        "pull team/app",
                        Deadline.after(Duration.ofSeconds(5))))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("plain-http token service");
        assertThat(transport.requestCount()).isZero();
    }
}
