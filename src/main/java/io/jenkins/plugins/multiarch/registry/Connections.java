package io.jenkins.plugins.multiarch.registry;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The JDK HTTP clients of one or more {@link RegistryClient}s, and the per-origin limits on them
 * ({@link OriginLimits}). Two clients: one for https (the caller's builder, its HTTP version kept, so HTTP/2
 * where the registry offers it through ALPN) and one for plain http forced to HTTP/1.1 (the JDK's default HTTP/2
 * mode sends an {@code Upgrade: h2c} that some registries and proxies mishandle). Both never follow redirects:
 * the JDK would forward our Authorization header to another origin, so {@link Exchange} follows them itself.
 *
 * <p>Shared: settings with the default HTTP client builder, or with the same
 * {@link RegistrySettings.Builder#sharedConnections(String) key}, and the same CA file (same path, size and time)
 * share one instance, so a controller running many publishes at once keeps one set of connections and one
 * selector thread per registry, not one per publish, and the limits hold for all of them. Any other builder (a
 * proxy's, say) without a key gets an instance of its own: what a builder makes cannot be compared. Connections carry no
 * credentials (every request brings its own Authorization), so sharing them shares no secret.
 *
 * <p>Lazy: each JDK client is made on first use, and the plain-http one gets an SSL context that does no TLS
 * ({@link NoTls}), so that a CLI run against a plain-HTTP registry sets up no TLS at all.
 */
final class Connections {

    /** Distinct shared configurations kept; more are rare (one per CA file), the eldest is dropped. */
    private static final int MAX_SHARED = 8;

    private static final Map<List<String>, Connections> SHARED = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<List<String>, Connections> eldest) {
            return size() > MAX_SHARED;
        }
    };

    private final Supplier<HttpClient.Builder> builder;
    private final SSLContext tls;
    private final OriginLimits limits = new OriginLimits();
    private volatile HttpClient https;
    private volatile HttpClient http;

    private Connections(Supplier<HttpClient.Builder> builder, SSLContext tls) {
        this.builder = builder;
        this.tls = tls;
    }

    /** The connections for these settings: shared where they can be (see the class comment). */
    static Connections of(RegistrySettings settings) {
        Supplier<HttpClient.Builder> builder = settings.httpClientBuilder();
        Path caFile = settings.caFile().orElse(null);
        String group = builder == RegistrySettings.DEFAULT_HTTP_CLIENT
                ? "default builder"
                : settings.connectionsKey() == null ? null : "key " + settings.connectionsKey();
        if (group == null) {
            return new Connections(builder, caFile == null ? null : TrustStores.withExtraCa(caFile));
        }
        String trust = caFile == null ? "system trust" : caFileKey(caFile);
        if (trust == null) {
            return new Connections(builder, TrustStores.withExtraCa(caFile)); // unreadable: it reports why
        }
        List<String> key = List.of(group, trust);
        synchronized (SHARED) {
            Connections shared = SHARED.get(key);
            if (shared == null) {
                shared = new Connections(builder, caFile == null ? null : TrustStores.withExtraCa(caFile));
                SHARED.put(key, shared);
            }
            return shared;
        }
    }

    /** A CA file as a sharing key: a changed file is another key. Null when it cannot be read. */
    private static String caFileKey(Path caFile) {
        try {
            Path real = caFile.toRealPath();
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
            return real + "|" + a.size() + "|" + a.lastModifiedTime().toMillis();
        } catch (IOException e) {
            return null;
        }
    }

    OriginLimits limits() {
        return limits;
    }

    /** Whether the https client was made (tests: a plain-HTTP run never makes it). */
    boolean httpsClientMade() {
        return https != null;
    }

    /** The JDK client for this URI's scheme, made on first use. */
    HttpClient client(URI uri) {
        return "http".equalsIgnoreCase(uri.getScheme()) ? http() : https();
    }

    private HttpClient https() {
        HttpClient c = https;
        if (c == null) {
            synchronized (this) {
                c = https;
                if (c == null) {
                    HttpClient.Builder b = builder.get().followRedirects(HttpClient.Redirect.NEVER);
                    if (tls != null) {
                        b.sslContext(tls);
                    }
                    https = c = b.build();
                }
            }
        }
        return c;
    }

    private HttpClient http() {
        HttpClient c = http;
        if (c == null) {
            synchronized (this) {
                c = http;
                if (c == null) {
                    http = c = builder.get()
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .version(HttpClient.Version.HTTP_1_1)
                            .sslContext(new NoTls())
                            .sslParameters(new SSLParameters())
                            .build();
                }
            }
        }
        return c;
    }
}
