package io.jenkins.plugins.multiarch.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A plain-HTTP proxy on 127.0.0.1 in front of a real registry (HTTP or HTTPS upstream). It forwards every request
 * (method, headers, body) and rewrites {@code Location} headers that point at the upstream back to itself, so a
 * client only ever talks to the proxy. Rules inject faults: a status (429 with Retry-After, 503 ...), a dropped
 * connection before or after the upstream handled the request, or a delay. A rule matches a method (null = any)
 * and a path regex (found anywhere in the path), lets the first {@code after} matches pass, fires {@code times}
 * times, then passes everything through. Rules are checked in the order they were added.
 *
 * <pre>
 * proxy.on("PUT", "/manifests/").after(1).reset();          // the 2nd manifest PUT loses its connection
 * proxy.on(null, "/blobs/").times(2).status(503);           // a 503 burst
 * proxy.on("GET", "/manifests/").tooManyRequests(1);        // 429, Retry-After: 1
 * proxy.on("HEAD", "/manifests/").delay(Duration.ofSeconds(3));
 * </pre>
 */
public final class FaultProxy implements AutoCloseable {

    /** A request the proxy received, with the status it answered (-1: connection dropped) and the fault, if any. */
    public record Recorded(
            String method,
            String path,
            String query,
            Set<String> headerNames,
            boolean authorization,
            int status,
            String fault) {
        @Override
        public String toString() {
            return method + " " + path + " -> " + status + (fault != null ? " [" + fault + "]" : "");
        }
    }

    private enum Kind {
        STATUS,
        RESET,
        RESET_AFTER_FORWARD,
        DELAY
    }

    /** One registered fault; counters tell the test how often it matched and fired. */
    public static final class Rule {
        private final String method;
        private final Pattern path;
        private final int after;
        private final int times;
        private final Kind kind;
        private final int status;
        private final String retryAfter;
        private final Duration delay;
        private String errorCode;
        private final AtomicInteger matched = new AtomicInteger();
        private final AtomicInteger fired = new AtomicInteger();

        private Rule(RuleBuilder b, Kind kind, int status, String retryAfter, Duration delay) {
            this.method = b.method;
            this.path = b.path;
            this.after = b.after;
            this.times = b.times;
            this.kind = kind;
            this.status = status;
            this.retryAfter = retryAfter;
            this.delay = delay;
        }

        /** Whether this request triggers the fault (counts matches; thread-safe). */
        private boolean take(String m, String p) {
            if ((method != null && !method.equalsIgnoreCase(m))
                    || !path.matcher(p).find()) {
                return false;
            }
            int n = matched.incrementAndGet();
            if (n <= after) {
                return false;
            }
            while (true) {
                int f = fired.get();
                if (f >= times) {
                    return false;
                }
                if (fired.compareAndSet(f, f + 1)) {
                    return true;
                }
            }
        }

        /** Requests that matched method and path so far (fired or not). */
        public int matched() {
            return matched.get();
        }

        /** How often the fault was injected. */
        public int fired() {
            return fired.get();
        }

        String describe() {
            return switch (kind) {
                case STATUS -> "status " + status + (retryAfter != null ? " Retry-After " + retryAfter : "");
                case RESET -> "reset";
                case RESET_AFTER_FORWARD -> "reset after forwarding";
                case DELAY -> "delay " + delay.toMillis() + " ms";
            };
        }
    }

    /** Chooses which requests a fault hits; a terminal method registers it. */
    public final class RuleBuilder {
        private final String method;
        private final Pattern path;
        private int after;
        private int times = 1;

        private RuleBuilder(String method, String pathRegex) {
            this.method = method;
            this.path = Pattern.compile(pathRegex);
        }

        /** Let the first {@code n} matching requests through untouched (the fault hits the (n+1)th). */
        public RuleBuilder after(int n) {
            this.after = n;
            return this;
        }

        /** Fire {@code n} times (default 1), then pass through. */
        public RuleBuilder times(int n) {
            this.times = n;
            return this;
        }

        /** Fire on every match. */
        public RuleBuilder always() {
            this.times = Integer.MAX_VALUE;
            return this;
        }

        /** Answer with this status and a registry-style error body, without forwarding. */
        public Rule status(int code) {
            return add(new Rule(this, Kind.STATUS, code, null, null));
        }

        /** Answer this status with a registry error body carrying {@code errorCode} (e.g. MANIFEST_INVALID). */
        public Rule statusWithError(int code, String errorCode) {
            Rule rule = new Rule(this, Kind.STATUS, code, null, null);
            rule.errorCode = errorCode;
            return add(rule);
        }

        /** Answer 429 with {@code Retry-After: seconds}, without forwarding. */
        public Rule tooManyRequests(long retryAfterSeconds) {
            return add(new Rule(this, Kind.STATUS, 429, Long.toString(retryAfterSeconds), null));
        }

        /** Answer {@code code} with this literal Retry-After value (seconds or an HTTP date). */
        public Rule statusWithRetryAfter(int code, String retryAfter) {
            return add(new Rule(this, Kind.STATUS, code, retryAfter, null));
        }

        /** Read the request, then close the connection without any response; the upstream never sees it. */
        public Rule reset() {
            return add(new Rule(this, Kind.RESET, -1, null, null));
        }

        /** Forward the request (the upstream applies it), then close the connection without answering. */
        public Rule resetAfterForwarding() {
            return add(new Rule(this, Kind.RESET_AFTER_FORWARD, -1, null, null));
        }

        /** Wait {@code d} before forwarding (the upstream sees the request late, or never if the client gave up). */
        public Rule delay(Duration d) {
            return add(new Rule(this, Kind.DELAY, -1, null, d));
        }
    }

    /** Thrown inside the handler to make the JDK server drop the connection. */
    private static final class DropConnection extends RuntimeException {
        DropConnection() {
            super("injected connection drop", null, false, false);
        }
    }

    private static final Set<String> SKIP_REQUEST_HEADERS = Set.of(
            "host",
            "connection",
            "content-length",
            "expect",
            "upgrade",
            "transfer-encoding",
            "keep-alive",
            "te",
            "trailer",
            "proxy-connection",
            "http2-settings");
    private static final Set<String> SKIP_RESPONSE_HEADERS =
            Set.of("content-length", "transfer-encoding", "connection", "keep-alive", "date");

    private final URI upstream;
    private final String upstreamOrigin;
    private final HttpServer server;
    private final HttpClient client;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Recorded> recorded = new CopyOnWriteArrayList<>();

    /** A proxy in front of {@code registry} (its CA trusted when it serves TLS). */
    public static FaultProxy inFrontOf(RegistryServer registry) {
        return new FaultProxy(registry.baseUri(), registry.isTls() ? registry.sslContext() : null);
    }

    /** @param upstream e.g. {@code http://127.0.0.1:5000}; @param ssl trust for an https upstream (null: JDK default) */
    public FaultProxy(URI upstream, SSLContext ssl) {
        this.upstream = upstream;
        this.upstreamOrigin = upstream.getScheme() + "://" + upstream.getRawAuthority();
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(executor);
        if (ssl != null) {
            b.sslContext(ssl);
        }
        this.client = b.build();
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the fault proxy", e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts a rule for requests with this method (null: any) whose path contains a match of {@code pathRegex}. */
    public RuleBuilder on(String method, String pathRegex) {
        return new RuleBuilder(method, pathRegex);
    }

    private Rule add(Rule r) {
        rules.add(r);
        return r;
    }

    public void clearRules() {
        rules.clear();
    }

    /** "127.0.0.1:PORT": use it as the registry of image references (plain HTTP, so name it insecure). */
    public String hostPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI baseUri() {
        return URI.create("http://" + hostPort());
    }

    public URI upstream() {
        return upstream;
    }

    /** Every request so far, in order of completion. */
    public List<Recorded> requests() {
        return List.copyOf(recorded);
    }

    public void clearRequests() {
        recorded.clear();
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        URI uri = ex.getRequestURI();
        String path = uri.getRawPath();
        Set<String> names = new TreeSet<>();
        ex.getRequestHeaders().keySet().forEach(k -> names.add(k.toLowerCase(Locale.ROOT)));
        boolean auth = names.contains("authorization");
        byte[] body = ex.getRequestBody().readAllBytes();
        Rule fault = null;
        for (Rule r : rules) {
            if (r.take(method, path)) {
                fault = r;
                break;
            }
        }
        String faultName = fault == null ? null : fault.describe();
        try {
            if (fault != null && fault.kind == Kind.STATUS) {
                if (fault.retryAfter != null) {
                    ex.getResponseHeaders().set("Retry-After", fault.retryAfter);
                }
                String code = fault.errorCode != null
                        ? fault.errorCode
                        : fault.status == 429 ? "TOOMANYREQUESTS" : fault.status >= 500 ? "UNAVAILABLE" : "DENIED";
                byte[] err = ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"injected by FaultProxy\"}]}")
                        .getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                // recorded before answering: a client that got its answer must find its request here
                recorded.add(new Recorded(method, path, uri.getRawQuery(), names, auth, fault.status, faultName));
                if ("HEAD".equals(method)) {
                    ex.sendResponseHeaders(fault.status, -1);
                } else {
                    ex.sendResponseHeaders(fault.status, err.length);
                    ex.getResponseBody().write(err);
                }
                return;
            }
            if (fault != null && fault.kind == Kind.RESET) {
                recorded.add(new Recorded(method, path, uri.getRawQuery(), names, auth, -1, faultName));
                throw new DropConnection();
            }
            if (fault != null && fault.kind == Kind.DELAY) {
                Thread.sleep(fault.delay.toMillis());
            }
            HttpResponse<byte[]> up = forward(ex, method, uri, body);
            if (fault != null && fault.kind == Kind.RESET_AFTER_FORWARD) {
                recorded.add(new Recorded(method, path, uri.getRawQuery(), names, auth, -1, faultName));
                throw new DropConnection();
            }
            for (Map.Entry<String, List<String>> h : up.headers().map().entrySet()) {
                String name = h.getKey().toLowerCase(Locale.ROOT);
                if (name.startsWith(":")
                        || (SKIP_RESPONSE_HEADERS.contains(name)
                                && !(name.equals("content-length") && "HEAD".equals(method)))) {
                    continue;
                }
                for (String v : h.getValue()) {
                    ex.getResponseHeaders().add(h.getKey(), name.equals("location") ? rewriteLocation(v) : v);
                }
            }
            byte[] respBody = up.body() == null ? new byte[0] : up.body();
            int status = up.statusCode();
            recorded.add(new Recorded(method, path, uri.getRawQuery(), names, auth, status, faultName));
            if ("HEAD".equals(method) || status == 204 || status == 304 || respBody.length == 0) {
                ex.sendResponseHeaders(status, -1);
            } else {
                ex.sendResponseHeaders(status, respBody.length);
                ex.getResponseBody().write(respBody);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DropConnection();
        } catch (IOException e) {
            // upstream down or broken: tell the client like a gateway would
            recorded.add(new Recorded(method, path, uri.getRawQuery(), names, auth, 502, "upstream failed: " + e));
            byte[] err = "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"upstream unreachable\"}]}"
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(502, err.length);
            ex.getResponseBody().write(err);
        } finally {
            ex.close();
        }
    }

    private HttpResponse<byte[]> forward(HttpExchange ex, String method, URI uri, byte[] body)
            throws IOException, InterruptedException {
        URI target = URI.create(
                upstreamOrigin + uri.getRawPath() + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : ""));
        HttpRequest.Builder rb = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(60));
        for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
            if (SKIP_REQUEST_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                continue;
            }
            for (String v : h.getValue()) {
                rb.header(h.getKey(), v);
            }
        }
        HttpRequest.BodyPublisher pub =
                body.length == 0 && !"PUT".equals(method) && !"POST".equals(method) && !"PATCH".equals(method)
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body);
        rb.method(method, pub);
        return client.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private String rewriteLocation(String v) {
        return v.startsWith(upstreamOrigin) ? "http://" + hostPort() + v.substring(upstreamOrigin.length()) : v;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
