package io.jenkins.plugins.multiarch.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Test helper: a forwarding proxy in front of a real registry that bends a few of its answers the way
 * other registries or hostile networks do, for the client's security and fallback paths:
 * blob GETs redirected (307) to another origin with a presigned-style query, mount parameters stripped
 * (so the registry answers 202, as Harbor does), the WWW-Authenticate realm rewritten, a response header
 * replaced or removed. Optionally serves HTTPS with its own test CA. Records what it received.
 */
final class FrontProxy implements AutoCloseable {

    record Seen(String method, String path, String query, boolean authorization) {}

    private static final Set<String> HOP = Set.of(
            "host",
            "connection",
            "content-length",
            "expect",
            "upgrade",
            "transfer-encoding",
            "keep-alive",
            "te",
            "trailer",
            "http2-settings");

    private final RegistryServer upstream;
    private final HttpServer server;
    private final HttpClient client;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "front-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Path caFile;
    private volatile URI blobRedirect;
    private volatile boolean stripMount;
    private volatile UnaryOperator<String> challengeRewrite;
    private volatile Pattern headerRewritePath;
    private volatile String rewriteHeader;
    private volatile String rewriteValue;
    private volatile Pattern bodyPath;
    private volatile byte[] replacementBody;
    private volatile boolean chunked;
    private final java.util.concurrent.atomic.AtomicInteger dropAuthorization =
            new java.util.concurrent.atomic.AtomicInteger();
    private volatile String dropAuthorizationMethod;
    private final java.util.concurrent.atomic.AtomicInteger redirectUploadPuts =
            new java.util.concurrent.atomic.AtomicInteger();

    FrontProxy(RegistryServer upstream, boolean tls) {
        this.upstream = upstream;
        this.client = upstream.httpClient();
        try {
            if (tls) {
                Path dir = Files.createTempDirectory("front-proxy-");
                TestTls.ServerCert cert = TestTls.makeServerCert(dir);
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("server", TestTls.readPkcs8RsaKey(cert.key()), new char[0], new Certificate[] {
                    TestTls.readCertificate(cert.cert())
                });
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
                SSLContext ssl = SSLContext.getInstance("TLS");
                ssl.init(kmf.getKeyManagers(), null, null);
                HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 32);
                https.setHttpsConfigurator(new HttpsConfigurator(ssl));
                this.server = https;
                this.caFile = cert.caCert();
            } else {
                this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 32);
                this.caFile = null;
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot start the front proxy", e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String hostPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    Path caFile() {
        return caFile;
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** Authenticated GET .../blobs/... answers 307 to {@code base} + same path + a presigned-looking query. */
    FrontProxy redirectBlobGetsTo(URI base) {
        this.blobRedirect = base;
        return this;
    }

    /** Drops {@code mount} and {@code from} from upload POSTs: the registry opens a plain session (202). */
    FrontProxy stripMount() {
        this.stripMount = true;
        return this;
    }

    FrontProxy rewriteChallenge(UnaryOperator<String> rewrite) {
        this.challengeRewrite = rewrite;
        return this;
    }

    /** Replaces (value non-null) or removes (null) a response header on requests whose path matches. */
    FrontProxy rewriteResponseHeader(String pathRegex, String header, String value) {
        this.headerRewritePath = Pattern.compile(pathRegex);
        this.rewriteHeader = header;
        this.rewriteValue = value;
        return this;
    }

    /**
     * Replaces the body of successful GETs whose path matches (headers kept, length adjusted); {@code chunked}
     * sends it without Content-Length.
     */
    FrontProxy replaceResponseBody(String pathRegex, byte[] body, boolean chunkedEncoding) {
        this.bodyPath = Pattern.compile(pathRegex);
        this.replacementBody = body;
        this.chunked = chunkedEncoding;
        return this;
    }

    /**
     * Forwards the next {@code times} requests that carry Authorization without it, so the registry itself
     * answers 401 with its real challenge: what a revoked or expired token gets.
     */
    FrontProxy dropAuthorization(int times) {
        dropAuthorizationMethod = null;
        dropAuthorization.set(times);
        return this;
    }

    /** As {@link #dropAuthorization(int)}, counting only requests with this method (e.g. the PUT of an upload). */
    FrontProxy dropAuthorization(String method, int times) {
        dropAuthorizationMethod = method;
        dropAuthorization.set(times);
        return this;
    }

    /** The next {@code times} upload PUTs ({@code .../blobs/uploads/...}) answer 307 to their own URL, body unread by the registry. */
    FrontProxy redirectUploadPuts(int times) {
        redirectUploadPuts.set(times);
        return this;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            URI uri = ex.getRequestURI();
            String path = uri.getRawPath();
            String query = uri.getRawQuery();
            seen.add(new Seen(method, path, query, ex.getRequestHeaders().containsKey("Authorization")));
            byte[] body = ex.getRequestBody().readAllBytes();
            // Like a real registry: authentication first (unauthenticated requests go on to get their 401), then the
            // redirect.
            if (blobRedirect != null
                    && method.equals("GET")
                    && path.contains("/blobs/sha256:")
                    && ex.getRequestHeaders().containsKey("Authorization")) {
                ex.getResponseHeaders()
                        .set(
                                "Location",
                                blobRedirect + path
                                        + "?X-Amz-Credential=AKIDEXAMPLE&X-Amz-Signature=presignedsecret123");
                ex.sendResponseHeaders(307, -1);
                return;
            }
            if (method.equals("PUT")
                    && path.contains("/blobs/uploads/")
                    && redirectUploadPuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                ex.getResponseHeaders().set("Location", path + (query != null ? "?" + query : ""));
                ex.sendResponseHeaders(307, -1);
                return;
            }
            if (stripMount && method.equals("POST") && query != null && query.contains("mount=")) {
                query = null;
            }
            URI target = URI.create(upstream.baseUri() + path + (query != null ? "?" + query : ""));
            HttpRequest.Builder rb = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30));
            String onlyMethod = dropAuthorizationMethod;
            boolean dropAuth = ex.getRequestHeaders().containsKey("Authorization")
                    && (onlyMethod == null || onlyMethod.equals(method))
                    && dropAuthorization.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
                if (dropAuth && h.getKey().equalsIgnoreCase("Authorization")) {
                    continue;
                }
                if (!HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                    h.getValue().forEach(v -> rb.header(h.getKey(), v));
                }
            }
            boolean hasBody = body.length > 0 || method.equals("PUT") || method.equals("POST");
            rb.method(
                    method,
                    hasBody ? HttpRequest.BodyPublishers.ofByteArray(body) : HttpRequest.BodyPublishers.noBody());
            HttpResponse<byte[]> up;
            try {
                up = client.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            String upstreamOrigin = upstream.baseUri().toString();
            String ownOrigin = (caFile != null ? "https://" : "http://") + hostPort();
            boolean rewrite =
                    headerRewritePath != null && headerRewritePath.matcher(path).find();
            for (Map.Entry<String, List<String>> h : up.headers().map().entrySet()) {
                String name = h.getKey().toLowerCase(Locale.ROOT);
                if (name.startsWith(":")
                        || HOP.contains(name)
                        || name.equals("date")
                        || (rewrite && name.equalsIgnoreCase(rewriteHeader))) {
                    continue;
                }
                for (String v : h.getValue()) {
                    if (name.equals("location") && v.startsWith(upstreamOrigin)) {
                        v = ownOrigin + v.substring(upstreamOrigin.length());
                    }
                    if (name.equals("www-authenticate") && challengeRewrite != null) {
                        v = challengeRewrite.apply(v);
                    }
                    ex.getResponseHeaders().add(h.getKey(), v);
                }
            }
            if (rewrite && rewriteValue != null) {
                ex.getResponseHeaders().set(rewriteHeader, rewriteValue);
            }
            byte[] out = up.body() == null ? new byte[0] : up.body();
            if (bodyPath != null
                    && method.equals("GET")
                    && up.statusCode() == 200
                    && bodyPath.matcher(path).find()) {
                ex.sendResponseHeaders(200, chunked ? 0 : replacementBody.length);
                ex.getResponseBody().write(replacementBody);
                return;
            }
            if (method.equals("HEAD")) {
                up.headers()
                        .firstValue("Content-Length")
                        .ifPresent(v -> ex.getResponseHeaders().set("Content-Length", v));
                ex.sendResponseHeaders(up.statusCode(), -1);
            } else if (out.length == 0) {
                ex.sendResponseHeaders(up.statusCode(), -1);
            } else {
                ex.sendResponseHeaders(up.statusCode(), out.length);
                ex.getResponseBody().write(out);
            }
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
