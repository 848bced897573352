package io.jenkins.plugins.multiarch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A real {@code docker-registry serve} (distribution 2.8) process on a free 127.0.0.1 port with its own storage.
 * Modes: plain HTTP, TLS (own CA), htpasswd basic auth (with or without TLS), token auth ({@link TokenIssuer}).
 *
 * <pre>
 * try (RegistryServer r = RegistryServer.builder().tls().basicAuth("alice", "s3cret").start()) { ... }
 * </pre>
 * Share one per test class through {@link RegistryExtension} ({@code @RegisterExtension static final
 * RegistryExtension<RegistryServer> registry = RegistryExtension.plain();}): a start costs ~0.3 s (more with TLS:
 * the openssl keys).
 */
public final class RegistryServer implements TestRegistry {

    /** One line of the registry's access log. */
    public record Request(String method, String path, int status) {
        private static final Pattern ACCESS = Pattern.compile("\"([A-Z]+) (\\S+) HTTP/[0-9.]+\" (\\d{3}) ");

        /** The requests of a registry's access log, in order. */
        public static List<Request> parseAll(String log) {
            List<Request> out = new ArrayList<>();
            for (String line : log.split("\n")) {
                Matcher m = ACCESS.matcher(line);
                if (m.find()) {
                    out.add(new Request(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
                }
            }
            return out;
        }

        @Override
        public String toString() {
            return method + " " + path + " " + status;
        }
    }

    private static final Set<RegistryServer> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(RegistryServer::close), "registry-reaper"));
    }

    private final Builder options;
    private final Path dir;
    private final Path storage;
    private final Path logFile;
    private final TestTls.ServerCert cert;
    private final int port;
    private Process process;
    private volatile boolean closed;

    private RegistryServer(Builder b) {
        Components.require(Components.Component.REGISTRY);
        this.options = b;
        try {
            this.dir = Files.createTempDirectory("registry-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.storage = b.storage != null ? b.storage : dir.resolve("storage");
        this.logFile = dir.resolve("registry.log");
        this.cert = b.tls ? TestTls.makeServerCert(dir) : null;
        if (b.username != null) {
            write(dir.resolve("htpasswd"), Htpasswd.line(b.username, b.password));
        }
        LIVE.add(this);
        int chosen = b.port;
        RuntimeException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int p = chosen > 0 ? chosen : freePort();
            try {
                startProcess(p);
                last = null;
                chosen = p;
                break;
            } catch (RuntimeException e) {
                last = e;
                if (b.port > 0) {
                    break; // a fixed port that is taken will not free itself
                }
            }
        }
        if (last != null) {
            close();
            throw last;
        }
        this.port = chosen;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A plain-HTTP registry without auth. */
    public static RegistryServer plain() {
        return builder().start();
    }

    /** Options; {@link #start()} runs the process and waits until it answers. */
    public static final class Builder {
        private boolean tls;
        private String username;
        private String password;
        private TokenIssuer issuer;
        private Path storage;
        private int port;

        /** Serve HTTPS with a fresh test CA ({@link RegistryServer#caFile()}). */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** htpasswd basic auth with one user. */
        public Builder basicAuth(String user, String pass) {
            this.username = user;
            this.password = pass;
            return this;
        }

        /** Token auth: the registry trusts {@code issuer}'s certificate and sends clients to its realm. */
        public Builder tokenAuth(TokenIssuer issuer) {
            this.issuer = issuer;
            return this;
        }

        /** Use this storage directory (e.g. to share content between two registries); not deleted on close. */
        public Builder storage(Path dir) {
            this.storage = dir;
            return this;
        }

        /** Listen on this port instead of a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public RegistryServer start() {
            if (username != null && issuer != null) {
                throw new IllegalArgumentException("basic auth and token auth exclude each other");
            }
            return new RegistryServer(this);
        }
    }

    private void startProcess(int p) {
        StringBuilder yml = new StringBuilder();
        yml.append("version: 0.1\n");
        yml.append("log: {level: warn, formatter: text, accesslog: {disabled: false}}\n");
        yml.append("storage: {filesystem: {rootdirectory: ").append(storage).append("}, delete: {enabled: true}}\n");
        yml.append("http:\n  addr: 127.0.0.1:").append(p).append("\n  secret: multiarch-test-secret\n");
        if (cert != null) {
            yml.append("  tls: {certificate: ")
                    .append(cert.cert())
                    .append(", key: ")
                    .append(cert.key())
                    .append("}\n");
        }
        if (options.username != null) {
            yml.append("auth: {htpasswd: {realm: test, path: ")
                    .append(dir.resolve("htpasswd"))
                    .append("}}\n");
        } else if (options.issuer != null) {
            yml.append("auth:\n  token: {realm: \"")
                    .append(options.issuer.realm())
                    .append("\", service: ")
                    .append(TokenIssuer.SERVICE)
                    .append(", issuer: ")
                    .append(TokenIssuer.ISSUER)
                    .append(", rootcertbundle: ")
                    .append(options.issuer.certFile())
                    .append("}\n");
        }
        Path config = dir.resolve("config.yml");
        write(config, yml.toString());
        try {
            process = new ProcessBuilder("docker-registry", "serve", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start docker-registry", e);
        }
        awaitReady(p);
    }

    private void awaitReady(int p) {
        HttpClient client = httpClientFor();
        URI v2 = URI.create(scheme() + "://127.0.0.1:" + p + "/v2/");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited with " + process.exitValue()
                        + " during start-up on port " + p + ":\n" + log());
            }
            try {
                HttpResponse<Void> r = client.send(
                        HttpRequest.newBuilder(v2)
                                .timeout(Duration.ofSeconds(2))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200 || r.statusCode() == 401) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(50);
        }
        process.destroyForcibly();
        throw new IllegalStateException("docker-registry did not answer GET " + v2 + " within 20 s:\n" + log());
    }

    /** "127.0.0.1:PORT": the registry part of image references. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public boolean isTls() {
        return cert != null;
    }

    public String scheme() {
        return cert != null ? "https" : "http";
    }

    /** {@code http(s)://127.0.0.1:PORT} (no trailing slash). */
    public URI baseUri() {
        return URI.create(scheme() + "://" + hostPort());
    }

    /** "127.0.0.1:PORT/" + {@code repositoryAndTag}: an image reference on this registry. */
    public String ref(String repositoryAndTag) {
        return hostPort() + "/" + repositoryAndTag;
    }

    /** The PEM of the CA that signed this registry's certificate (TLS mode only). */
    public Path caFile() {
        if (cert == null) {
            throw new IllegalStateException("registry on " + hostPort() + " has no TLS");
        }
        return cert.caCert();
    }

    /** An SSLContext trusting {@link #caFile()} only (TLS mode), or the JDK default. */
    public SSLContext sslContext() {
        try {
            return cert != null ? TestTls.trusting(cert.caCert()) : SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JDK client for this registry: HTTP/1.1, redirects not followed, the test CA trusted in TLS mode. */
    public HttpClient httpClient() {
        return httpClientFor();
    }

    private HttpClient httpClientFor() {
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5));
        if (cert != null) {
            b.sslContext(TestTls.trusting(cert.caCert()));
        }
        return b.build();
    }

    /** The user of basic auth or of the token issuer (null for an open registry). */
    public String username() {
        return options.username != null
                ? options.username
                : options.issuer != null ? options.issuer.defaultUser() : null;
    }

    public String password() {
        return options.username != null
                ? options.password
                : options.issuer != null ? options.issuer.defaultPassword() : null;
    }

    /** The token issuer in token mode, else null. */
    public TokenIssuer tokenIssuer() {
        return options.issuer;
    }

    public Path storageDir() {
        return storage;
    }

    /** The file the registry writes its app log and access log to (for readers that parse it incrementally). */
    public Path logFile() {
        return logFile;
    }

    /** Everything the registry printed (app log and access log). */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "";
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    /** Every request in the access log so far, in order. */
    @Override
    public List<Request> accessLog() {
        return Request.parseAll(log());
    }

    /** A point in the access log: pass it to {@link #requestsSince(int)}. */
    public int mark() {
        settle();
        return accessLog().size();
    }

    /**
     * The requests logged after {@code mark}. The registry writes a line just after answering, so this first waits
     * until the log stops growing (bounded: 2 s).
     */
    public List<Request> requestsSince(int mark) {
        settle();
        List<Request> all = accessLog();
        return List.copyOf(all.subList(Math.min(mark, all.size()), all.size()));
    }

    private void settle() {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        long size = -1;
        while (System.nanoTime() < deadline) {
            long now = logFile.toFile().length();
            if (now == size) {
                return;
            }
            size = now;
            sleep(60);
        }
    }

    /** Stops the process (the registry is "down"); storage and port are kept for {@link #restart()}. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void changePassword(String newPassword) {
        if (options.username == null) {
            throw new IllegalStateException("registry on " + hostPort() + " has no basic auth");
        }
        options.password = newPassword;
        write(dir.resolve("htpasswd"), Htpasswd.line(options.username, newPassword));
        restart(); // distribution reads htpasswd at start-up only
    }

    /** Starts the process again on the same port with the same storage. */
    public void restart() {
        stop();
        startProcess(port);
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        LIVE.remove(this);
        Exec.deleteTree(dir);
    }

    @Override
    public String toString() {
        return "RegistryServer[" + baseUri() + (options.username != null ? ", basic auth" : "")
                + (options.issuer != null ? ", token auth" : "") + "]";
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    private static void write(Path p, String text) {
        try {
            Files.writeString(p, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
