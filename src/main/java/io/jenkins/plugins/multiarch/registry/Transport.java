package io.jenkins.plugins.multiarch.registry;

import io.jenkins.plugins.multiarch.LogListener;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSession;

/**
 * Sends single HTTP exchanges for one {@link RegistryClient} and counts them, over {@link Connections} that
 * other clients may share. Each exchange first takes a slot of its origin ({@link OriginLimits}) and gives it
 * back when its response body is read to the end or closed, or when the exchange fails. Debug lines name the
 * method, the redacted URL, the kind of authorization (never its value) and the protocol.
 */
final class Transport {

    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);

    private final Connections connections;
    private final AtomicInteger requests = new AtomicInteger();
    private final LogListener listener;

    Transport(RegistrySettings settings) {
        this.connections = Connections.of(settings);
        this.listener = settings.listener();
    }

    HttpResponse<InputStream> send(HttpRequest request, String authKind) throws IOException, InterruptedException {
        URI uri = request.uri();
        HttpClient client = connections.client(uri);
        String what = request.method() + " " + Redact.url(uri);
        long start = System.nanoTime();
        OriginLimits.Slot slot =
                connections.limits().acquire(uri, request.timeout().orElse(DEFAULT_WAIT));
        long waited = System.nanoTime() - start;
        requests.incrementAndGet();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            slot.learned(response.version());
            listener.debug("HTTP " + what + " (auth: " + authKind + ") -> " + response.statusCode() + " in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms (" + version(response.version())
                    + (waited > 1_000_000 ? ", " + waited / 1_000_000 + " ms waiting for a connection" : "") + ")");
            return new Released(response, slot);
        } catch (IOException | RuntimeException | Error e) {
            slot.release();
            if (e instanceof IOException) {
                listener.debug("HTTP " + what + " (auth: " + authKind + ") failed after "
                        + (System.nanoTime() - start) / 1_000_000 + " ms: "
                        + e.getClass().getSimpleName());
            }
            throw e;
        } catch (InterruptedException e) {
            slot.release();
            throw e;
        }
    }

    int requestCount() {
        return requests.get();
    }

    /** The limits this client's exchanges count against (tests). */
    OriginLimits limits() {
        return connections.limits();
    }

    private static String version(HttpClient.Version v) {
        return v == HttpClient.Version.HTTP_2 ? "HTTP/2" : "HTTP/1.1";
    }

    /** A response whose body gives the origin slot back when it is read to the end or closed. */
    private static final class Released implements HttpResponse<InputStream> {
        private final HttpResponse<InputStream> response;
        private final InputStream body;

        Released(HttpResponse<InputStream> response, OriginLimits.Slot slot) {
            this.response = response;
            this.body = new ReleasingStream(response.body(), slot);
        }

        @Override
        public int statusCode() {
            return response.statusCode();
        }

        @Override
        public HttpRequest request() {
            return response.request();
        }

        @Override
        public Optional<HttpResponse<InputStream>> previousResponse() {
            return response.previousResponse();
        }

        @Override
        public HttpHeaders headers() {
            return response.headers();
        }

        @Override
        public InputStream body() {
            return body;
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return response.sslSession();
        }

        @Override
        public URI uri() {
            return response.uri();
        }

        @Override
        public HttpClient.Version version() {
            return response.version();
        }
    }

    private static final class ReleasingStream extends FilterInputStream {
        private final OriginLimits.Slot slot;

        ReleasingStream(InputStream in, OriginLimits.Slot slot) {
            super(in);
            this.slot = slot;
        }

        @Override
        public int read() throws IOException {
            return ended(super.read());
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return ended(super.read(b, off, len));
        }

        private int ended(int n) {
            if (n < 0) {
                slot.release(); // the JDK has given the connection back to its pool
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                slot.release();
            }
        }
    }
}
