package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connections to real registries (plain HTTP and TLS, distribution 2.8), counted by a TCP relay in front of
 * each: how many a client opens for many parallel requests, that clients with default settings share them, that
 * TLS negotiates HTTP/2 (ALPN) and then carries every request on one connection.
 */
class RegistryConnectionsTest {

    private static final int PARALLEL = 40;

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> plain = RegistryExtension.plain();

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> tls = RegistryExtension.tls();

    private static String plainDigest;
    private static String tlsDigest;

    @BeforeAll
    static void pushAnImageToEach() {
        plainDigest = plain.images()
                .pushImage("conn/app", "1", "linux/amd64", TestImages.Format.DOCKER)
                .digest();
        tlsDigest = tls.images()
                .pushImage("conn/app", "1", "linux/amd64", TestImages.Format.DOCKER)
                .digest();
    }

    /** {@code PARALLEL} HEADs of one tag at once, from as many threads; each must find the image. */
    private static void headsInParallel(RegistryClient client, String hostPort, String digest) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(PARALLEL);
        try {
            List<Future<Optional<Digest>>> heads = new ArrayList<>();
            ImageReference ref = ImageReference.parse(hostPort + "/conn/app:1");
            for (int i = 0; i < PARALLEL; i++) {
                heads.add(threads.submit(() -> client.headDigest(ref)));
            }
            for (Future<Optional<Digest>> head : heads) {
                assertThat(head.get()).map(Digest::toString).contains(digest);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void http1OpensAtMostEightConnectionsToOneRegistryForManyParallelRequests() throws Exception {
        try (ConnectionCounter counter = new ConnectionCounter(plain.get().hostPort(), Duration.ofMillis(40))) {
            RegistryClient client = new RegistryClient(RegistrySettings.builder()
                    .insecureRegistry(counter.hostPort())
                    .build());

            headsInParallel(client, counter.hostPort(), plainDigest);

            assertThat(client.requestCount()).isEqualTo(PARALLEL);
            assertThat(counter.peakOpen()).isLessThanOrEqualTo(OriginLimits.HTTP1_MAX);
            assertThat(counter.accepted()).isLessThanOrEqualTo(OriginLimits.HTTP1_MAX);
        }
    }

    @Test
    void clientsWithDefaultSettingsShareTheirConnections() throws Exception {
        try (ConnectionCounter counter = new ConnectionCounter(plain.get().hostPort(), Duration.ofMillis(40))) {
            RegistrySettings settings = RegistrySettings.builder()
                    .insecureRegistry(counter.hostPort())
                    .build();
            headsInParallel(new RegistryClient(settings), counter.hostPort(), plainDigest);
            int opened = counter.accepted();

            // A new client per publish, as a Jenkins step makes one: it reuses the connections left open.
            RegistryClient second = new RegistryClient(RegistrySettings.builder()
                    .insecureRegistry(counter.hostPort())
                    .build());
            assertThat(second.headDigest(ImageReference.parse(counter.hostPort() + "/conn/app:1")))
                    .map(Digest::toString)
                    .contains(plainDigest);
            assertThat(counter.accepted()).isEqualTo(opened);
        }
    }

    @Test
    void aClientWithItsOwnHttpClientBuilderKeepsItsOwnConnections() throws Exception {
        try (ConnectionCounter counter = new ConnectionCounter(plain.get().hostPort(), Duration.ZERO)) {
            RegistryClient first = new RegistryClient(RegistrySettings.builder()
                    .insecureRegistry(counter.hostPort())
                    .build());
            ImageReference ref = ImageReference.parse(counter.hostPort() + "/conn/app:1");
            assertThat(first.headDigest(ref)).isPresent();
            int opened = counter.accepted();
            // what a proxy-configured builder makes cannot be compared with the default: not shared
            RegistryClient own = new RegistryClient(RegistrySettings.builder()
                    .insecureRegistry(counter.hostPort())
                    .httpClientBuilder(() -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)))
                    .build());
            assertThat(own.headDigest(ref)).isPresent();
            assertThat(counter.accepted()).isEqualTo(opened + 1);
        }
    }

    @Test
    void clientsWithTheirOwnBuilderShareConnectionsWhenTheyGiveTheSameKey() throws Exception {
        try (ConnectionCounter counter = new ConnectionCounter(plain.get().hostPort(), Duration.ZERO)) {
            ImageReference ref = ImageReference.parse(counter.hostPort() + "/conn/app:1");
            java.util.function.Supplier<HttpClient.Builder> proxied =
                    () -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
            RegistryClient first = new RegistryClient(RegistrySettings.builder()
                    .insecureRegistry(counter.hostPort())
                    .httpClientBuilder(proxied)
                    .sharedConnections("proxy none " + counter.hostPort())
                    .build());
            assertThat(first.headDigest(ref)).isPresent();
            int opened = counter.accepted();
            RegistryClient same = new RegistryClient(RegistrySettings.builder()
                    .insecureRegistry(counter.hostPort())
                    .httpClientBuilder(proxied)
                    .sharedConnections("proxy none " + counter.hostPort())
                    .build());
            assertThat(same.headDigest(ref)).isPresent();
            assertThat(counter.accepted()).isEqualTo(opened);
            RegistryClient other = new RegistryClient(RegistrySettings.builder()
                    .insecureRegistry(counter.hostPort())
                    .httpClientBuilder(proxied)
                    .sharedConnections("proxy changed " + counter.hostPort())
                    .build());
            assertThat(other.headDigest(ref)).isPresent();
            assertThat(counter.accepted()).isEqualTo(opened + 1);
        }
    }

    @Test
    void tlsNegotiatesHttp2AndOneConnectionCarriesEveryParallelRequest() throws Exception {
        try (ConnectionCounter counter = new ConnectionCounter(tls.get().hostPort(), Duration.ofMillis(40))) {
            int mark = tls.get().mark();
            RegistryClient client = new RegistryClient(
                    RegistrySettings.builder().caFile(tls.get().caFile()).build());

            headsInParallel(client, counter.hostPort(), tlsDigest);

            // Without the first request going alone, the JDK opens one TLS connection per request until its
            // first HTTP/2 connection is up.
            assertThat(counter.accepted()).isEqualTo(1);
            assertThat(tls.get().requestsSince(mark)).hasSize(PARALLEL);
            assertThat(tls.get()
                            .log()
                            .lines()
                            .filter(l -> l.contains("HEAD /v2/conn/app/manifests/1 HTTP/2.0"))
                            .count())
                    .isGreaterThanOrEqualTo(PARALLEL);
        }
    }

    @Test
    void parallelFirstRequestsToATlsRegistryOpenOneConnectionNotOneEach() throws Exception {
        try (ConnectionCounter counter = new ConnectionCounter(tls.get().hostPort(), Duration.ofMillis(40))) {
            // Straight to the transport: no first-contact authentication step holds the others back here, so
            // only the transport keeps the JDK from opening a TLS connection per request before HTTP/2 is up.
            Transport transport = new Transport(
                    RegistrySettings.builder().caFile(tls.get().caFile()).build());
            URI v2 = URI.create("https://" + counter.hostPort() + "/v2/");
            ExecutorService threads = Executors.newFixedThreadPool(PARALLEL);
            try {
                List<Future<Integer>> answers = new ArrayList<>();
                for (int i = 0; i < PARALLEL; i++) {
                    answers.add(threads.submit(() -> {
                        HttpResponse<java.io.InputStream> r =
                                transport.send(HttpRequest.newBuilder(v2).build(), "none");
                        try (java.io.InputStream body = r.body()) {
                            body.readAllBytes();
                        }
                        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
                        return r.statusCode();
                    }));
                }
                for (Future<Integer> a : answers) {
                    assertThat(a.get()).isEqualTo(200);
                }
            } finally {
                threads.shutdownNow();
            }
            assertThat(counter.accepted()).isEqualTo(1);
            assertThat(transport.limits().inFlight(v2)).isZero();
        }
    }

    @Test
    void aPlainHttpClientNeverSetsUpTls() throws Exception {
        RegistrySettings settings = RegistrySettings.builder()
                .insecureRegistry(plain.get().hostPort())
                .httpClientBuilder(() -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)))
                .build();
        Connections connections = Connections.of(settings);
        URI v2 = URI.create("http://" + plain.get().hostPort() + "/v2/");

        HttpResponse<Void> answer =
                connections.client(v2).send(HttpRequest.newBuilder(v2).build(), HttpResponse.BodyHandlers.discarding());

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(connections.httpsClientMade()).isFalse();
        // the plain client's SSL context does no TLS at all: it could not talk TLS without trust
        assertThatThrownBy(() -> connections.client(v2).sslContext().getSocketFactory())
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("does no TLS");
        assertThatThrownBy(() -> connections.client(v2).sslContext().createSSLEngine("registry.example", 443))
                .isInstanceOf(UnsupportedOperationException.class);
        connections.client(URI.create("https://" + plain.get().hostPort() + "/v2/"));
        assertThat(connections.httpsClientMade()).isTrue();
    }
}
