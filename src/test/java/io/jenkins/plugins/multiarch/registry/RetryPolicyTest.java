package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Retry decisions, Retry-After parsing, token lifetimes, realm checks and URL redaction. */
class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(30));

    @Test
    void retryableStatusesOnly() {
        assertThat(java.util.List.of(408, 429, 500, 502, 503, 504)).allMatch(RetryPolicy::retryable);
        assertThat(java.util.List.of(400, 401, 403, 404, 405, 409, 415, 501)).noneMatch(RetryPolicy::retryable);
    }

    @Test
    void retryAfterSecondsAndHttpDateAreCapped() {
        Instant now = Instant.parse("2026-11-23T10:00:00Z");
        assertThat(policy.retryAfter(Optional.of("2"), now)).hasValue(Duration.ofSeconds(2));
        assertThat(policy.retryAfter(Optional.of("3600"), now)).hasValue(Duration.ofSeconds(30));
        String date =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(7).atOffset(ZoneOffset.UTC));
        assertThat(policy.retryAfter(Optional.of(date), now)).hasValue(Duration.ofSeconds(7));
        String past =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(now.minusSeconds(7).atOffset(ZoneOffset.UTC));
        assertThat(policy.retryAfter(Optional.of(past), now)).hasValue(Duration.ZERO);
        assertThat(policy.retryAfter(Optional.of("soon"), now)).isEmpty();
        assertThat(policy.retryAfter(Optional.empty(), now)).isEmpty();
    }

    @Test
    void backoffGrowsWithJitterAndIsCapped() {
        for (int i = 0; i < 50; i++) {
            assertThat(policy.backoff(1).toMillis()).isBetween(50L, 100L);
            assertThat(policy.backoff(3).toMillis()).isBetween(200L, 400L);
            assertThat(policy.backoff(40).toMillis()).isBetween(15_000L, 30_000L);
        }
    }

    @Test
    void missingExpiresInMeansSixtySeconds() {
        Instant issued = Instant.parse("2026-11-23T10:00:00Z");
        BearerToken t = BearerToken.issued("tok", issued, 0);
        assertThat(t.usableAt(issued.plusSeconds(50))).isTrue();
        assertThat(t.usableAt(issued.plusSeconds(60))).isFalse();
        assertThat(BearerToken.issued("tok", issued, 3600).usableAt(issued.plusSeconds(3000)))
                .isTrue();
        assertThat(t.toString()).doesNotContain("tok");
    }

    @Test
    void tokenRealmRules() {
        Endpoint https = new Endpoint("registry.example", "https");
        Endpoint http = new Endpoint("127.0.0.1:5000", "http");
        Set<String> insecure = Set.of("127.0.0.1:5000");
        assertThat(TokenRealm.validate(https, "https://auth.example/token", Set.of()))
                .hasHost("auth.example");
        assertThat(TokenRealm.validate(http, "http://127.0.0.1:9/token", insecure))
                .hasPort(9);
        assertThatThrownBy(() -> TokenRealm.validate(https, "http://auth.example/token", Set.of()))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("plain-http");
        assertThatThrownBy(() -> TokenRealm.validate(http, "http://user:pw@127.0.0.1:9/token", insecure))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("user info")
                .message()
                .doesNotContain("pw");
        assertThatThrownBy(() -> TokenRealm.validate(http, "file:///etc/passwd", insecure))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("not http or https");
        assertThatThrownBy(() -> TokenRealm.validate(http, null, insecure))
                .isInstanceOf(RegistryAuthenticationException.class);
        // Checklist 20: an insecure registry may not send credentials in clear to a host nobody named.
        assertThatThrownBy(() -> TokenRealm.validate(http, "http://auth.example/token", insecure))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("plain-http token service on another host")
                .hasMessageContaining("Name auth.example as an insecure registry");
        assertThat(TokenRealm.validate(
                        http, "http://auth.example:8080/token", Set.of("127.0.0.1:5000", "auth.example:8080")))
                .hasHost("auth.example");
        assertThat(TokenRealm.validate(http, "https://auth.example/token", insecure))
                .hasHost("auth.example");
    }

    @Test
    void scopesCoverSubsetsOfActionsPerResource() {
        Set<String> mount = Scopes.mount("dst", "src");
        assertThat(Scopes.covers(mount, Set.of(Scopes.pull("dst")))).isTrue();
        assertThat(Scopes.covers(mount, Set.of(Scopes.pull("src"), Scopes.pullPush("dst"))))
                .isTrue();
        assertThat(Scopes.covers(mount, Set.of(Scopes.pullPush("src")))).isFalse();
        assertThat(Scopes.covers(mount, Set.of(Scopes.pull("other")))).isFalse();
        assertThat(Scopes.covers(Set.of("repository:x:*"), Set.of(Scopes.pullPush("x"))))
                .isTrue();
        assertThat(Scopes.covers(Set.of("registry:catalog:*"), Set.of("registry:catalog:*")))
                .isTrue();
        assertThat(Scopes.covers(Set.of(Scopes.pull("x")), Set.of())).isTrue();
    }

    @Test
    void redactionKeepsApiParametersOnly() {
        URI presigned = URI.create("https://bucket.s3.example/blobs/sha256:ab?X-Amz-Signature=secret&digest=sha256:ab");
        assertThat(Redact.url(presigned))
                .isEqualTo("https://bucket.s3.example/blobs/sha256:ab?X-Amz-Signature=***&digest=sha256:ab");
        assertThat(Redact.url(URI.create("http://u:p@h:1/x"))).isEqualTo("http://h:1/x");
        assertThat(Redact.text("http://u:p@h/x?sig=1")).doesNotContain("u:p", "sig=1");
    }

    @Test
    void originsCompareSchemeHostAndPort() {
        Endpoint e = new Endpoint("127.0.0.1:5000", "http");
        assertThat(e.sameOrigin(URI.create("http://127.0.0.1:5000/v2/x"))).isTrue();
        assertThat(e.sameOrigin(URI.create("http://127.0.0.1:5001/v2/x"))).isFalse();
        assertThat(e.sameOrigin(URI.create("https://127.0.0.1:5000/v2/x"))).isFalse();
        assertThat(e.sameOrigin(URI.create("http://localhost:5000/v2/x"))).isFalse();
        assertThat(new Endpoint("r.example", "https").sameOrigin(URI.create("https://R.example:443/v2/")))
                .isTrue();
    }
}
