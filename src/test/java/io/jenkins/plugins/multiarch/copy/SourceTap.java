package io.jenkins.plugins.multiarch.copy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test helper: a read-only forwarding proxy (GET and HEAD) in front of a real plain-HTTP registry that streams
 * each answer through as it arrives, and can bend one blob's download in the middle of its body: cut the
 * connection after some bytes (a reset mid-blob, the rest never sent), or stall after some bytes until the test
 * releases it (so the test can look at what the copy did with the first part while the rest is still unsent), or
 * deliver it slowly but steadily.
 */
final class SourceTap implements AutoCloseable {

    private static final Set<String> FORWARDED_REQUEST = Set.of("accept", "range");
    private static final Set<String> FORWARDED_RESPONSE =
            Set.of("content-type", "docker-content-digest", "docker-distribution-api-version", "www-authenticate");

    private final URI upstream;
    private final HttpServer server;
    private final HttpClient client;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "source-tap");
        t.setDaemon(true);
        return t;
    });

    private volatile String digest;
    private volatile long afterBytes;
    private volatile boolean cut;
    private volatile long bytesPerSecond;
    private final AtomicInteger cutsLeft = new AtomicInteger();
    private final CountDownLatch stalled = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger blobGets = new AtomicInteger();
    private final AtomicInteger cutsDone = new AtomicInteger();

    SourceTap(RegistryServer registry) {
        this.upstream = registry.baseUri();
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 32);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String hostPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** The first {@code times} GETs of this blob stop after {@code bytes} bytes: the connection is dropped. */
    SourceTap cutBlob(String blobDigest, long bytes, int times) {
        this.digest = blobDigest;
        this.afterBytes = bytes;
        this.cut = true;
        this.cutsLeft.set(times);
        return this;
    }

    /** The GETs of this blob pause after {@code bytes} bytes until {@link #release()}. */
    SourceTap stallBlob(String blobDigest, long bytes) {
        this.digest = blobDigest;
        this.afterBytes = bytes;
        this.cut = false;
        return this;
    }

    /** The GETs of this blob flow at about {@code bytesPerSecond}: a slow network that never stops. */
    SourceTap throttleBlob(String blobDigest, long bytesPerSecond) {
        this.digest = blobDigest;
        this.afterBytes = Long.MAX_VALUE;
        this.cut = false;
        this.bytesPerSecond = bytesPerSecond;
        return this;
    }

    /** Waits until a download of the stalled blob has reached its pause. */
    boolean awaitStall(Duration timeout) throws InterruptedException {
        return stalled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void release() {
        released.countDown();
    }

    /** GETs of the bent blob that arrived. */
    int blobGets() {
        return blobGets.get();
    }

    /** Downloads that were cut. */
    int cutsDone() {
        return cutsDone.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.sendResponseHeaders(405, -1);
                ex.close();
                return;
            }
            URI uri = URI.create(upstream + ex.getRequestURI().toString());
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(60))
                    .method(method, HttpRequest.BodyPublishers.noBody());
            ex.getRequestHeaders().forEach((name, values) -> {
                if (FORWARDED_REQUEST.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            HttpResponse<InputStream> up = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            up.headers().map().forEach((name, values) -> {
                if (FORWARDED_RESPONSE.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    ex.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            long length = up.headers().firstValueAsLong("Content-Length").orElse(0);
            if (method.equals("HEAD")) {
                ex.getResponseHeaders().set("Content-Length", Long.toString(length));
                ex.sendResponseHeaders(up.statusCode(), -1);
                up.body().close();
                ex.close();
                return;
            }
            boolean bent = digest != null
                    && up.statusCode() == 200
                    && ex.getRequestURI().getPath().endsWith("/blobs/" + digest);
            if (bent) {
                blobGets.incrementAndGet();
            }
            ex.sendResponseHeaders(up.statusCode(), length == 0 ? -1 : length);
            try (InputStream in = up.body()) {
                OutputStream out = ex.getResponseBody();
                byte[] buffer = new byte[64 * 1024];
                long sent = 0;
                long began = System.nanoTime();
                boolean paused = false;
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (bent && !paused && sent + n >= afterBytes) {
                        int first = (int) (afterBytes - sent);
                        out.write(buffer, 0, first);
                        out.flush();
                        if (cut && cutsLeft.getAndDecrement() > 0) {
                            cutsDone.incrementAndGet();
                            throw new Dropped(); // the rest is never sent: the client sees the stream end early
                        }
                        if (!cut) {
                            stalled.countDown();
                            released.await(120, TimeUnit.SECONDS);
                        }
                        paused = true;
                        out.write(buffer, first, n - first);
                        sent += n;
                        continue;
                    }
                    out.write(buffer, 0, n);
                    sent += n;
                    if (bent && bytesPerSecond > 0) {
                        // paced by the bytes sent so far (small reads would round a per-read sleep down to 0)
                        out.flush();
                        long due = began + sent * 1_000_000_000L / bytesPerSecond;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                    }
                }
            }
            ex.close();
        } catch (Dropped d) {
            // Thrown out of the handler, it makes the JDK server drop the connection with bytes still owed.
            throw d;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ex.close();
        }
    }

    private static final class Dropped extends RuntimeException {
        Dropped() {
            super("dropped", null, false, false);
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
