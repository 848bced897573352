package io.jenkins.plugins.multiarch.registry;

import java.io.InputStream;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One logical request to a registry: what to send, which token scopes it needs, and how the exchange may
 * handle it (retries, redirects, body limits). Built by {@link RegistryClient} and {@link TokenFetcher}; run by
 * {@link RegistryHttp} (with authentication) or, for a call with a fixed Authorization, directly by {@link Exchange}.
 */
final class Call {

    /** Error bodies are read up to this size to find the registry's {@code errors[]}. */
    static final int ERROR_BODY_LIMIT = 64 * 1024;

    final String operation;
    final Endpoint endpoint;
    final String method;
    final URI uri;
    final Map<String, String> headers = new LinkedHashMap<>();
    byte[] body;
    /** A body read from a stream (a copied blob): sent once, so the call gets one attempt. */
    Supplier<InputStream> streamBody;

    long streamLength = -1;
    Set<String> scopes = Set.of();
    boolean authenticate = true;
    /** Sent as is (token requests): not subject to challenges. */
    String fixedAuthorization;

    boolean followRedirects = true;
    boolean streamResponse;
    long maxBody = ERROR_BODY_LIMIT;
    /** Statuses that are normally retried but are final here (HEAD 500 falls back to GET instead). */
    Set<Integer> noRetry = Set.of();

    int maxAttempts = -1;

    Call(String operation, Endpoint endpoint, String method, URI uri) {
        this.operation = operation;
        this.endpoint = endpoint;
        this.method = method;
        this.uri = uri;
    }

    Call header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    Call scopes(Set<String> newScopes) {
        this.scopes = Set.copyOf(newScopes);
        return this;
    }

    Call body(byte[] newBody) {
        this.body = newBody;
        return this;
    }

    Call maxBody(long limit) {
        this.maxBody = limit;
        return this;
    }

    Call streamResponse() {
        this.streamResponse = true;
        return this;
    }

    Call noRedirects() {
        this.followRedirects = false;
        return this;
    }

    Call attempts(int attempts) {
        this.maxAttempts = attempts;
        return this;
    }
}
