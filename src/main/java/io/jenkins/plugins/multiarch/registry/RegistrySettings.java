package io.jenkins.plugins.multiarch.registry;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.image.ImageReference;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/** How a {@link RegistryClient} talks to registries. Immutable; made with {@link #builder()}. */
public final class RegistrySettings {

    /** The HTTP client builder unless one is given; clients with it share their connections (see Connections). */
    static final Supplier<HttpClient.Builder> DEFAULT_HTTP_CLIENT =
            () -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));

    private final CredentialsSource credentials;
    private final Set<String> insecureRegistries;
    private final Set<String> allowedRegistries;
    private final Path caFile;
    private final Supplier<HttpClient.Builder> httpClientBuilder;
    private final String connectionsKey;
    private final int maxAttempts;
    private final Duration deadline;
    private final Duration maxRetryAfter;
    private final Duration retryBackoff;
    private final Duration requestTimeout;
    private final LogListener listener;
    private final String userAgent;

    private RegistrySettings(Builder b) {
        this.credentials = b.credentials;
        this.insecureRegistries = Set.copyOf(b.insecureRegistries);
        this.allowedRegistries = Set.copyOf(b.allowedRegistries);
        this.caFile = b.caFile;
        this.httpClientBuilder = b.httpClientBuilder;
        this.connectionsKey = b.connectionsKey;
        this.maxAttempts = b.maxAttempts;
        this.deadline = b.deadline;
        this.maxRetryAfter = b.maxRetryAfter;
        this.retryBackoff = b.retryBackoff;
        this.requestTimeout = b.requestTimeout;
        this.listener = b.listener;
        this.userAgent = b.userAgent;
    }

    public static Builder builder() {
        return new Builder();
    }

    public CredentialsSource credentials() {
        return credentials;
    }

    /** Registries ({@code host[:port]}) reached over plain HTTP; every other registry is reached over HTTPS. */
    public Set<String> insecureRegistries() {
        return insecureRegistries;
    }

    public boolean isInsecure(String registry) {
        return insecureRegistries.contains(registry.toLowerCase(Locale.ROOT));
    }

    /** The only registries this client may send requests to ({@code host[:port]}); empty: any registry. */
    public Set<String> allowedRegistries() {
        return allowedRegistries;
    }

    /**
     * Refuses, before anything is sent, a registry outside {@link #allowedRegistries()}. Token realms and
     * redirects are the answers of an allowed registry and go where it sends them (credentials still only to
     * the registry's own host, see Authenticator).
     */
    public void requireAllowed(String registry) {
        if (!allowedRegistries.isEmpty() && !allowedRegistries.contains(registry.toLowerCase(Locale.ROOT))) {
            throw new InvalidInputException("registry " + registry + " is not among the registries this client may "
                    + "contact " + new TreeSet<>(allowedRegistries) + ": use one of them, or ask the administrator "
                    + "to add it");
        }
    }

    /** A PEM file of extra CA certificates trusted in addition to the system's. */
    public Optional<Path> caFile() {
        return Optional.ofNullable(caFile);
    }

    Supplier<HttpClient.Builder> httpClientBuilder() {
        return httpClientBuilder;
    }

    /** Clients with equal keys (and CA files) share their connections; null: only with the default builder. */
    String connectionsKey() {
        return connectionsKey;
    }

    /** Attempts per request, counting the first (authentication round trips are not counted). */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The most one request may take, retries and waits included. */
    public Duration deadline() {
        return deadline;
    }

    /** The longest Retry-After the client honours; longer ones are cut to this. */
    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    /** The first backoff delay; it doubles per retry, with jitter. */
    public Duration retryBackoff() {
        return retryBackoff;
    }

    /** The most one HTTP exchange may wait for its response headers. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    public LogListener listener() {
        return listener;
    }

    public String userAgent() {
        return userAgent;
    }

    @Override
    public String toString() {
        return "RegistrySettings[insecure=" + new TreeSet<>(insecureRegistries)
                + (allowedRegistries.isEmpty() ? "" : ", allowed=" + new TreeSet<>(allowedRegistries)) + ", caFile="
                + caFile
                + ", maxAttempts=" + maxAttempts + ", deadline=" + deadline + ", userAgent=" + userAgent + "]";
    }

    public static final class Builder {
        private CredentialsSource credentials = CredentialsSource.none();
        private final Set<String> insecureRegistries = new TreeSet<>();
        private final Set<String> allowedRegistries = new TreeSet<>();
        private Path caFile;
        private Supplier<HttpClient.Builder> httpClientBuilder = DEFAULT_HTTP_CLIENT;
        private String connectionsKey;
        private int maxAttempts = 5;
        private Duration deadline = Duration.ofMinutes(2);
        private Duration maxRetryAfter = Duration.ofSeconds(60);
        private Duration retryBackoff = Duration.ofMillis(500);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private LogListener listener = LogListener.NONE;
        private String userAgent = "multiarch/0.1";

        private Builder() {}

        public Builder credentials(CredentialsSource credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /** Allows plain HTTP for this registry, written {@code host[:port]} exactly as in image references. */
        public Builder insecureRegistry(String hostPort) {
            try {
                insecureRegistries.add(ImageReference.parseRegistryHost(hostPort));
            } catch (InvalidInputException e) {
                throw new InvalidInputException("insecure registry: " + e.getMessage(), e);
            }
            return this;
        }

        /** Restricts the client to these registries, {@code host[:port]} as in image references (none: any). */
        public Builder allowedRegistry(String hostPort) {
            try {
                allowedRegistries.add(ImageReference.parseRegistryHost(hostPort));
            } catch (InvalidInputException e) {
                throw new InvalidInputException("allowed registry: " + e.getMessage(), e);
            }
            return this;
        }

        public Builder caFile(Path caFile) {
            this.caFile = caFile;
            return this;
        }

        /**
         * The builder of every {@link HttpClient} the client makes (e.g. one configured with a proxy). The
         * client sets redirects to NEVER (it follows them itself) and, for plain HTTP, HTTP/1.1; with
         * {@link #caFile(Path)} it also sets the SSL context.
         */
        public Builder httpClientBuilder(Supplier<HttpClient.Builder> httpClientBuilder) {
            this.httpClientBuilder = Objects.requireNonNull(httpClientBuilder, "httpClientBuilder");
            return this;
        }

        /**
         * Lets clients made with this {@link #httpClientBuilder(Supplier)} share their connections (and so the
         * per-registry connection limits, and one selector thread) with every client whose settings give the same
         * key and CA file: what a builder makes cannot be compared, so the caller says when two make the same.
         * Give a key that changes whenever the builder's result would (say, the proxy's host, port and user).
         * Without a key only clients with the default builder share. Connections carry no credentials.
         */
        public Builder sharedConnections(String key) {
            this.connectionsKey = Objects.requireNonNull(key, "key");
            return this;
        }

        public Builder retries(int maxAttempts, Duration deadline) {
            if (maxAttempts < 1 || deadline.isNegative() || deadline.isZero()) {
                throw new InvalidInputException("invalid retries (" + maxAttempts + ", " + deadline
                        + "): give at least 1 attempt and a positive deadline");
            }
            this.maxAttempts = maxAttempts;
            this.deadline = deadline;
            return this;
        }

        public Builder maxRetryAfter(Duration maxRetryAfter) {
            this.maxRetryAfter = requirePositive(maxRetryAfter, "maxRetryAfter");
            return this;
        }

        public Builder retryBackoff(Duration retryBackoff) {
            this.retryBackoff = requirePositive(retryBackoff, "retryBackoff");
            return this;
        }

        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requirePositive(requestTimeout, "requestTimeout");
            return this;
        }

        public Builder listener(LogListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public Builder userAgent(String userAgent) {
            this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
            return this;
        }

        public RegistrySettings build() {
            return new RegistrySettings(this);
        }

        private static Duration requirePositive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new InvalidInputException("invalid " + name + " '" + d + "': it must be a positive duration");
            }
            return d;
        }
    }
}
