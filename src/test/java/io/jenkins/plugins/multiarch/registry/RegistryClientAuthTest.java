package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import io.jenkins.plugins.multiarch.testing.TokenIssuer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Authentication against real registries: TLS + htpasswd basic auth with a private CA, and token auth with a
 * test token issuer. Captured logs and exception messages never contain a password or token.
 */
class RegistryClientAuthTest {

    private static final String USER = "alice";
    private static final String PASSWORD = "Sup3r-s3cret-pw";

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> tlsBasic = RegistryExtension.tlsBasicAuth(USER, PASSWORD);

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> token = RegistryExtension.tokenAuth(
            () -> new TokenIssuer("tokenuser", PASSWORD).addPullOnlyUser("reader", "reader-pw-xyz"));

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final LogListener listener = (level, message) -> log.add(level + " " + message);

    @BeforeEach
    void resetIssuer() {
        token.issuer().clearRequests();
        token.issuer().tokenLifetime(Duration.ofMinutes(5));
    }

    private RegistrySettings.Builder settings(String host, String user, String password) {
        RegistrySettings.Builder b = RegistrySettings.builder()
                .listener(listener)
                .retries(3, Duration.ofSeconds(20))
                .retryBackoff(Duration.ofMillis(50));
        if (!host.equals(tlsBasic.get().hostPort()) && !host.startsWith("tls:")) {
            b.insecureRegistry(host);
        }
        if (user != null) {
            b.credentials(CredentialsSource.of(host, RegistryCredentials.of(user, password)));
        }
        return b;
    }

    private static ImageReference ref(RegistryServer r, String s) {
        return ImageReference.parse(r.ref(s));
    }

    /** Nothing secret in what the client logged or threw. */
    private void assertNoSecrets(String... extra) {
        String basic = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        String all = String.join("\n", log) + String.join("\n", extra);
        assertThat(all).doesNotContain(PASSWORD, basic, "reader-pw-xyz", "eyJ", "presignedsecret123");
    }

    @Test
    void tlsWithExtraCaAndBasicAuthRoundTrip() {
        TestImages.Pushed img = TestImages.forRegistry(tlsBasic.get())
                .pushImage("secure/app", "1", "linux/arm64", TestImages.Format.OCI);
        RegistryClient client = new RegistryClient(settings(tlsBasic.get().hostPort(), USER, PASSWORD)
                .caFile(tlsBasic.get().caFile())
                .build());
        int mark = tlsBasic.get().mark();

        RawManifest raw = client.fetchManifest(ref(tlsBasic.get(), "secure/app:1"));
        assertThat(raw.digest()).hasToString(img.digest());
        assertThat(client.putManifest(ref(tlsBasic.get(), "secure/app:copy"), raw))
                .isEqualTo(raw.digest());
        assertThat(client.headManifest(ref(tlsBasic.get(), "secure/app:copy")))
                .get()
                .extracting(Descriptor::digest)
                .isEqualTo(raw.digest());

        // Basic goes only after the registry's Basic challenge: the first request is anonymous (401), later ones not.
        List<RegistryServer.Request> seen = tlsBasic.get().requestsSince(mark);
        assertThat(seen.get(0).status()).isEqualTo(401);
        assertThat(seen.subList(1, seen.size()))
                .extracting(RegistryServer.Request::status)
                .doesNotContain(401);
        assertThat(client.requestCount()).isEqualTo(seen.size()).isEqualTo(4);
        assertThat(log).anyMatch(l -> l.contains("auth: basic"));
        assertNoSecrets();
    }

    @Test
    void tlsIsVerifiedByDefault() {
        RegistryClient client = new RegistryClient(
                settings(tlsBasic.get().hostPort(), USER, PASSWORD).build());
        assertThatThrownBy(() -> client.fetchManifest(ref(tlsBasic.get(), "secure/app:1")))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("TLS with " + tlsBasic.get().hostPort() + " failed")
                .hasMessageContaining("CA file");
        assertThat(client.requestCount()).isEqualTo(1);
    }

    @Test
    void wrongPasswordIsAnAuthenticationErrorWithoutThePassword() {
        String wrong = "Wr0ng-Passw0rd-42";
        RegistryClient client = new RegistryClient(settings(tlsBasic.get().hostPort(), USER, wrong)
                .caFile(tlsBasic.get().caFile())
                .build());
        assertThatThrownBy(() -> client.fetchManifest(ref(tlsBasic.get(), "secure/app:1")))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining(
                        "Check the credentials for " + tlsBasic.get().hostPort())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong))
                .satisfies(e -> assertThat(((RegistryException) e).statusCode()).isEqualTo(401))
                .satisfies(e -> assertThat(((RegistryException) e).exitCode()).isEqualTo(4));
        // one anonymous request, one with the credentials, then stop: no retry of 401
        assertThat(client.requestCount()).isEqualTo(2);
        assertThat(String.join("\n", log)).doesNotContain(wrong);
    }

    @Test
    void noCredentialsForABasicRegistrySaysSo() {
        RegistryClient client = new RegistryClient(settings(tlsBasic.get().hostPort(), null, null)
                .caFile(tlsBasic.get().caFile())
                .build());
        assertThatThrownBy(() -> client.fetchManifest(ref(tlsBasic.get(), "secure/app:1")))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining(
                        "none are configured for " + tlsBasic.get().hostPort());
    }

    @Test
    void tokenAuthScopesAndCacheReuse() {
        TestImages writer = TestImages.forRegistry(token.get());
        TestImages.Pushed img = writer.pushImage("tok/app", "1", "linux/amd64", TestImages.Format.DOCKER);
        RegistryClient client = new RegistryClient(
                settings(token.get().hostPort(), "tokenuser", PASSWORD).build());
        token.issuer().clearRequests();

        assertThat(client.fetchManifest(ref(token.get(), "tok/app:1")).digest()).hasToString(img.digest());
        assertThat(client.fetchManifest(ref(token.get(), "tok/app@" + img.digest()))
                        .digest())
                .hasToString(img.digest());
        assertThat(client.headManifest(ref(token.get(), "tok/app:1"))).isPresent();
        // One token for repository:tok/app:pull, reused by the later requests.
        assertThat(token.issuer().requests()).singleElement().satisfies(r -> {
            assertThat(r.user()).isEqualTo("tokenuser");
            assertThat(r.service()).isEqualTo(TokenIssuer.SERVICE);
            assertThat(r.scopes()).containsExactly("repository:tok/app:pull");
        });
        // 401 + token + GET, then GET, then HEAD
        assertThat(client.requestCount()).isEqualTo(5);

        // A push needs pull,push: a second token.
        RawManifest raw = client.fetchManifest(ref(token.get(), "tok/app:1"));
        client.putManifest(ref(token.get(), "tok/app:2"), raw);
        assertThat(token.issuer().requests()).hasSize(2);
        assertThat(token.issuer().requests().get(1).scopes()).containsExactly("repository:tok/app:pull,push");
        assertNoSecrets();
    }

    @Test
    void mountAsksForTwoScopesInOneToken() {
        TestImages writer = TestImages.forRegistry(token.get());
        byte[] data = TestImages.randomBytes(2000);
        String digest = writer.pushBlob("tok/src", data);
        RegistryClient client = new RegistryClient(
                settings(token.get().hostPort(), "tokenuser", PASSWORD).build());
        token.issuer().clearRequests();
        Descriptor blob = new Descriptor(MediaType.OCI_LAYER_GZIP, Digest.parse(digest), data.length);

        assertThat(client.mountBlob(ref(token.get(), "tok/dst"), ref(token.get(), "tok/src"), blob))
                .isTrue();
        assertThat(client.blobExists(ref(token.get(), "tok/dst"), blob.digest()))
                .isTrue();
        TokenIssuer.TokenRequest mountToken = token.issuer().requests().get(0);
        assertThat(mountToken.scopes())
                .containsExactlyInAnyOrder("repository:tok/dst:pull,push", "repository:tok/src:pull");
        // Each scope is its own URL-encoded parameter.
        assertThat(mountToken.query())
                .contains("scope=repository%3Atok%2Fdst%3Apull%2Cpush")
                .contains("scope=repository%3Atok%2Fsrc%3Apull");
        // The mount token covers pulls of either repository: no second token for the check above, nor for these.
        assertThat(client.blobExists(ref(token.get(), "tok/src"), blob.digest()))
                .isTrue();
        assertThat(client.fetchBlob(ref(token.get(), "tok/dst"), blob.digest(), 10_000))
                .isEqualTo(data);
        assertThat(token.issuer().requests()).hasSize(1);
    }

    @Test
    void parallelFirstRequestsShareOneChallengeAndOneToken() throws Exception {
        TestImages.Pushed img =
                TestImages.forRegistry(token.get()).pushImage("tok/par", "t0", "linux/amd64", TestImages.Format.OCI);
        int threads = 8;
        for (int i = 1; i < threads; i++) {
            TestImages.forRegistry(token.get())
                    .pushManifest("tok/par", "t" + i, TestImages.OCI_MANIFEST, img.manifest());
        }
        RegistryClient client = new RegistryClient(
                settings(token.get().hostPort(), "tokenuser", PASSWORD).build());
        token.issuer().clearRequests();
        int mark = token.get().mark();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        try {
            List<java.util.concurrent.Future<RawManifest>> results = new java.util.ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String tag = "t" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    return client.fetchManifest(ref(token.get(), "tok/par:" + tag));
                }));
            }
            for (java.util.concurrent.Future<RawManifest> f : results) {
                assertThat(f.get(60, java.util.concurrent.TimeUnit.SECONDS).digest())
                        .hasToString(img.digest());
            }
        } finally {
            pool.shutdownNow();
        }
        List<RegistryServer.Request> seen = token.get().requestsSince(mark);
        // One first contact (401) learns the challenge, one token serves all eight: 8 GETs + 1 401 + 1 token request.
        assertThat(token.issuer().requests())
                .singleElement()
                .satisfies(r -> assertThat(r.scopes()).containsExactly("repository:tok/par:pull"));
        assertThat(seen).filteredOn(r -> r.status() == 401).hasSize(1);
        assertThat(seen).filteredOn(r -> r.status() == 200).hasSize(threads);
        assertThat(client.requestCount()).isEqualTo(threads + 2);
    }

    @Test
    void copiedBlobRefusedOnceIsStreamedAgainInANewSessionNotReplayed() {
        byte[] data = TestImages.randomBytes(200_000);
        String digest = TestImages.forRegistry(token.get()).pushBlob("tok/copy-src", data);
        Descriptor blob = new Descriptor(MediaType.OCI_LAYER_GZIP, Digest.parse(digest), data.length);
        token.issuer().clearRequests();
        try (FrontProxy front = new FrontProxy(token.get(), false)) {
            front.stripMount(); // the registry answers 202: the blob is copied through the upload session
            RegistryClient client = new RegistryClient(
                    settings(front.hostPort(), "tokenuser", PASSWORD).build());
            ImageReference target = ImageReference.parse(front.hostPort() + "/tok/copy-dst");
            ImageReference source = ImageReference.parse(front.hostPort() + "/tok/copy-src");
            // The streamed PUT arrives without its token (revoked, expired): the registry answers 401.
            front.dropAuthorization("PUT", 1);
            assertThat(client.mountBlob(target, source, blob)).isFalse();
            // Not a replay of the spent stream on the same session: a new session reads the source again.
            assertThat(front.seen())
                    .extracting(FrontProxy.Seen::method)
                    .containsExactly("POST", "POST", "HEAD", "GET", "PUT", "POST", "HEAD", "GET", "PUT");
            assertThat(token.issuer().requests()).hasSize(2); // the refused token is replaced once
        }
        assertThat(TestImages.forRegistry(token.get()).getBlob("tok/copy-dst", digest))
                .isEqualTo(data);
        assertNoSecrets();
    }

    @Test
    void insecureRegistrySendsCredentialsInClearOnlyToHostsTheUserNamed() {
        TestImages.forRegistry(token.get()).pushImage("tok/realm", "1", "linux/amd64", TestImages.Format.OCI);
        try (FrontProxy front = new FrontProxy(token.get(), false)) {
            // The registry (named insecure as 127.0.0.1:PORT) sends clients to a plain-http realm on "localhost".
            front.rewriteChallenge(v -> v.replace("realm=\"http://127.0.0.1:", "realm=\"http://localhost:"));
            ImageReference ref = ImageReference.parse(front.hostPort() + "/tok/realm:1");
            RegistryClient refused = new RegistryClient(
                    settings(front.hostPort(), "tokenuser", PASSWORD).build());
            token.issuer().clearRequests();
            assertThatThrownBy(() -> refused.fetchManifest(ref))
                    .isInstanceOf(RegistryAuthenticationException.class)
                    .hasMessageContaining("plain-http token service on another host")
                    .hasMessageContaining("localhost:" + token.issuer().port());
            assertThat(token.issuer().requests()).isEmpty();

            // Named insecure too: the user accepted clear text to that host.
            RegistryClient allowed = new RegistryClient(settings(front.hostPort(), "tokenuser", PASSWORD)
                    .insecureRegistry("localhost:" + token.issuer().port())
                    .build());
            assertThat(allowed.fetchManifest(ref).mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
            assertThat(token.issuer().requests())
                    .singleElement()
                    .satisfies(r -> assertThat(r.user()).isEqualTo("tokenuser"));
        }
        assertNoSecrets();
    }

    @Test
    void wrongPasswordAtTheTokenServiceIsAnAuthenticationError() {
        RegistryClient client = new RegistryClient(
                settings(token.get().hostPort(), "tokenuser", "nope-nope-123").build());
        assertThatThrownBy(() -> client.fetchManifest(ref(token.get(), "tok/app:1")))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("refused the credentials of user tokenuser")
                .hasMessageContaining("Check the credentials for " + token.get().hostPort())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("nope-nope-123"));
        assertThat(token.issuer().requests())
                .singleElement()
                .satisfies(r -> assertThat(r.status()).isEqualTo(401));
        assertThat(String.join("\n", log)).doesNotContain("nope-nope-123");
    }

    @Test
    void anonymousAgainstATokenRegistryIsRefusedClearly() {
        RegistryClient client =
                new RegistryClient(settings(token.get().hostPort(), null, null).build());
        assertThatThrownBy(() -> client.fetchManifest(ref(token.get(), "tok/app:1")))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining(
                        "no credentials are configured for " + token.get().hostPort());
        assertThat(token.issuer().requests())
                .singleElement()
                .satisfies(r -> assertThat(r.authorizationPresent()).isFalse());
    }

    @Test
    void twoCredentialSetsNeverShareATokenAndPullOnlyCannotPush() {
        TestImages.Pushed img =
                TestImages.forRegistry(token.get()).pushImage("tok/share", "1", "linux/amd64", TestImages.Format.OCI);
        token.issuer().clearRequests();
        RegistryClient writer = new RegistryClient(
                settings(token.get().hostPort(), "tokenuser", PASSWORD).build());
        RegistryClient reader = new RegistryClient(
                settings(token.get().hostPort(), "reader", "reader-pw-xyz").build());
        RawManifest raw = writer.fetchManifest(ref(token.get(), "tok/share:1"));
        reader.fetchManifest(ref(token.get(), "tok/share:1"));
        assertThat(token.issuer().requests())
                .extracting(TokenIssuer.TokenRequest::user)
                .containsExactly("tokenuser", "reader");

        // The reader's token has pull only: the registry answers 401 even after re-authentication.
        assertThatThrownBy(() -> reader.putManifest(ref(token.get(), "tok/share:2"), raw))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("push manifest " + img.digest());
        // ...and the writer, unaffected, can.
        assertThat(writer.putManifest(ref(token.get(), "tok/share:2"), raw)).hasToString(img.digest());
        assertNoSecrets();
    }

    @Test
    void refusedTokenIsRenewedOnceThenTheClientGivesUp() {
        TestImages.Pushed img =
                TestImages.forRegistry(token.get()).pushImage("tok/expiry", "1", "linux/amd64", TestImages.Format.OCI);
        try (FrontProxy front = new FrontProxy(token.get(), false)) {
            RegistryClient client = new RegistryClient(
                    settings(front.hostPort(), "tokenuser", PASSWORD).build());
            ImageReference ref = ImageReference.parse(front.hostPort() + "/tok/expiry:1");
            client.fetchManifest(ref);
            token.issuer().clearRequests();

            // The registry refuses the cached token once (as when it expired): one new token, then success.
            front.dropAuthorization(1);
            int before = client.requestCount();
            assertThat(client.fetchManifest(ref).digest()).hasToString(img.digest());
            assertThat(token.issuer().requests()).hasSize(1);
            assertThat(client.requestCount() - before).isEqualTo(3); // 401, token, 200

            // A PUT refused once is re-authenticated and its body replayed.
            RawManifest raw = client.fetchManifest(ref);
            front.dropAuthorization(1);
            assertThat(client.putManifest(ImageReference.parse(front.hostPort() + "/tok/expiry:replayed"), raw))
                    .isEqualTo(raw.digest());
            assertThat(TestImages.forRegistry(token.get())
                            .getManifest("tok/expiry", "replayed")
                            .body())
                    .isEqualTo(img.manifest());

            // Refused again after renewal: fail, no loop.
            front.dropAuthorization(2);
            before = client.requestCount();
            assertThatThrownBy(() -> client.fetchManifest(ref))
                    .isInstanceOf(RegistryAuthenticationException.class)
                    .hasMessageContaining("Check the credentials for " + front.hostPort());
            assertThat(client.requestCount() - before).isEqualTo(3); // 401, token, 401
        }
        assertNoSecrets();
    }

    @Test
    void httpsRegistryWithPlainHttpRealmIsRefused() {
        try (RegistryServer tlsToken =
                RegistryServer.builder().tls().tokenAuth(token.issuer()).start()) {
            token.issuer().clearRequests();
            RegistryClient client = new RegistryClient(RegistrySettings.builder()
                    .listener(listener)
                    .credentials(
                            CredentialsSource.of(tlsToken.hostPort(), RegistryCredentials.of("tokenuser", PASSWORD)))
                    .caFile(tlsToken.caFile())
                    .build());
            assertThatThrownBy(() -> client.fetchManifest(ref(tlsToken, "tok/app:1")))
                    .isInstanceOf(RegistryAuthenticationException.class)
                    .hasMessageContaining("plain-http token service");
            assertThat(token.issuer().requests()).isEmpty();
        }
    }

    @Test
    void realmWithUserInfoIsRefused() {
        try (FrontProxy front = new FrontProxy(token.get(), false)) {
            front.rewriteChallenge(v -> v.replace("realm=\"http://", "realm=\"http://evil:stolen@"));
            RegistryClient client = new RegistryClient(
                    settings(front.hostPort(), "tokenuser", PASSWORD).build());
            token.issuer().clearRequests();
            assertThatThrownBy(() -> client.fetchManifest(ImageReference.parse(front.hostPort() + "/tok/app:1")))
                    .isInstanceOf(RegistryAuthenticationException.class)
                    .hasMessageContaining("user info")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("stolen"));
            assertThat(token.issuer().requests()).isEmpty();
        }
    }
}
