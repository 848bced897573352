package io.jenkins.plugins.multiarch.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.testing.Components.Component;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Proves {@link RegistryServer} and {@link TokenIssuer} run real registries in every mode. */
class RegistryServerFixtureTest {

    private static HttpResponse<String> get(HttpClient client, URI uri, String authorization) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String pass) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void plainRegistryAnswersAndCountsRequestsFromItsAccessLog() throws Exception {
        try (RegistryServer r = RegistryServer.plain()) {
            assertThat(r.hostPort()).matches("127\\.0\\.0\\.1:\\d+");
            assertThat(r.baseUri().toString()).isEqualTo("http://" + r.hostPort());
            int mark = r.mark();
            HttpResponse<String> v2 = get(r.httpClient(), URI.create(r.baseUri() + "/v2/"), null);
            assertThat(v2.statusCode()).isEqualTo(200);
            assertThat(v2.headers().firstValue("Docker-Distribution-Api-Version"))
                    .contains("registry/2.0");
            HttpResponse<String> missing =
                    get(r.httpClient(), URI.create(r.baseUri() + "/v2/no/such/manifests/x"), null);
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.body()).contains("MANIFEST_UNKNOWN");
            assertThat(r.requestsSince(mark))
                    .containsExactly(
                            new RegistryServer.Request("GET", "/v2/", 200),
                            new RegistryServer.Request("GET", "/v2/no/such/manifests/x", 404));
            assertThat(r.requestsSince(r.mark())).isEmpty();
        }
    }

    @Test
    void tlsRegistryIsTrustedWithItsCaOnly() throws Exception {
        try (RegistryServer r = RegistryServer.builder().tls().start()) {
            assertThat(r.baseUri().getScheme()).isEqualTo("https");
            assertThat(r.caFile()).exists();
            URI v2 = URI.create(r.baseUri() + "/v2/");
            assertThat(get(r.httpClient(), v2, null).statusCode()).isEqualTo(200);
            HttpClient systemTrust = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            assertThatThrownBy(() -> get(systemTrust, v2, null)).isInstanceOf(SSLHandshakeException.class);

            Components.require(Component.CURL);
            Exec.Result withCa = Exec.run(
                    List.of(
                            "curl",
                            "-sS",
                            "-o",
                            "/dev/null",
                            "-w",
                            "%{http_code}",
                            "--cacert",
                            r.caFile().toString(),
                            v2.toString()),
                    Duration.ofSeconds(20));
            assertThat(withCa.stdout()).isEqualTo("200");
            Exec.Result withoutCa =
                    Exec.run(List.of("curl", "-sS", "-o", "/dev/null", v2.toString()), Duration.ofSeconds(20));
            assertThat(withoutCa.exitCode()).isEqualTo(60); // peer certificate cannot be authenticated
        }
    }

    @Test
    void basicAuthOverTlsChallengesAndAcceptsOnlyTheRightPassword() throws Exception {
        try (RegistryServer r =
                RegistryServer.builder().tls().basicAuth("alice", "s3cret-pw").start()) {
            URI v2 = URI.create(r.baseUri() + "/v2/");
            HttpResponse<String> anonymous = get(r.httpClient(), v2, null);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Basic realm=\"test\"");
            assertThat(get(r.httpClient(), v2, basic("alice", "s3cret-pw")).statusCode())
                    .isEqualTo(200);
            assertThat(get(r.httpClient(), v2, basic("alice", "wrong")).statusCode())
                    .isEqualTo(401);
            assertThat(r.username()).isEqualTo("alice");
            assertThat(r.password()).isEqualTo("s3cret-pw");
        }
    }

    @Test
    void basicAuthWorksOverPlainHttpToo() throws Exception {
        try (RegistryServer r = RegistryServer.builder().basicAuth("bob", "pw").start()) {
            URI v2 = URI.create(r.baseUri() + "/v2/");
            assertThat(get(r.httpClient(), v2, null).statusCode()).isEqualTo(401);
            assertThat(get(r.httpClient(), v2, basic("bob", "pw")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void tokenAuthChallengesThenAcceptsATokenFromTheIssuer() throws Exception {
        try (TokenIssuer issuer = new TokenIssuer("carol", "token-pw").addPullOnlyUser("reader", "read-pw");
                RegistryServer r = RegistryServer.builder().tokenAuth(issuer).start()) {
            HttpClient c = r.httpClient();
            URI tags = URI.create(r.baseUri() + "/v2/team/app/tags/list");
            HttpResponse<String> challenge = get(c, tags, null);
            assertThat(challenge.statusCode()).isEqualTo(401);
            String wwwAuth = challenge.headers().firstValue("WWW-Authenticate").orElseThrow();
            assertThat(wwwAuth)
                    .startsWith("Bearer realm=\"" + issuer.realm() + "\"")
                    .contains("service=\"test-registry\"")
                    .contains("scope=\"repository:team/app:pull\"");

            String scope = URLEncoder.encode("repository:team/app:pull,push", StandardCharsets.UTF_8);
            URI tokenUri = URI.create(issuer.realm() + "?service=test-registry&scope=" + scope + "&scope="
                    + URLEncoder.encode("repository:other/repo:pull", StandardCharsets.UTF_8));
            HttpResponse<String> token = get(c, tokenUri, basic("carol", "token-pw"));
            assertThat(token.statusCode()).isEqualTo(200);
            String jwt = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(token.body())
                    .get("token")
                    .asText();
            String claims = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
            assertThat(claims)
                    .contains(
                            "\"iss\":\"test-issuer\"",
                            "\"aud\":\"test-registry\"",
                            "\"sub\":\"carol\"",
                            "\"name\":\"team/app\"",
                            "\"name\":\"other/repo\"");

            assertThat(get(c, URI.create(r.baseUri() + "/v2/"), "Bearer " + jwt).statusCode())
                    .isEqualTo(200);
            // the image writer does the whole flow by itself
            TestImages.Pushed pushed =
                    TestImages.forRegistry(r).pushImage("team/app", "1", "linux/amd64", TestImages.Format.OCI);
            assertThat(TestImages.forRegistry(r).getManifest("team/app", "1").digestHeader())
                    .isEqualTo(pushed.digest());

            assertThat(get(c, tokenUri, basic("carol", "wrong")).statusCode()).isEqualTo(401);
            List<TokenIssuer.TokenRequest> seen = issuer.requests();
            assertThat(seen.get(0).authorizationPresent()).isTrue();
            assertThat(seen.get(0).user()).isEqualTo("carol");
            assertThat(seen.get(0).scopes())
                    .containsExactly("repository:team/app:pull,push", "repository:other/repo:pull");
            assertThat(seen.get(seen.size() - 1).status()).isEqualTo(401);
            assertThat(seen.get(seen.size() - 1).user()).isNull();

            // a pull-only user gets a token without push, and the registry refuses the push
            TestImages reader = TestImages.at(r.baseUri(), null, "reader", "read-pw");
            assertThatThrownBy(() -> reader.pushImage("team/app", "2", "linux/amd64", TestImages.Format.OCI))
                    .hasMessageContaining("401");
        }
    }

    @Test
    void stopMakesTheRegistryUnreachableAndRestartKeepsItsContent() throws Exception {
        try (RegistryServer r = RegistryServer.plain()) {
            TestImages images = TestImages.forRegistry(r);
            TestImages.Pushed p = images.pushImage("keep/me", "v1", "linux/arm64/v8", TestImages.Format.DOCKER);
            r.stop();
            assertThat(r.isRunning()).isFalse();
            assertThatThrownBy(() -> get(r.httpClient(), URI.create(r.baseUri() + "/v2/"), null))
                    .isInstanceOf(IOException.class);
            r.restart();
            assertThat(images.getManifest("keep/me", "v1").digestHeader()).isEqualTo(p.digest());
        }
    }
}
