package io.jenkins.plugins.multiarch.registry;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * Runs the attempts of one {@link Call} over the {@link Transport}: bounded retries with backoff (or the
 * server's Retry-After) under the call's {@link Deadline}, our own redirect handling, and limited body reads
 * ({@link LimitedBody}). It knows nothing of challenges or tokens: the {@link Authorizer} it is given decides
 * each attempt's Authorization, so {@link RegistryHttp} (with re-authentication) and {@link TokenFetcher}
 * (fixed Basic credentials or none) both run on it, and nothing here calls back up into authentication.
 *
 * <p>Redirects: at most {@value #MAX_REDIRECTS}; never from https to http; the Authorization header only
 * goes to the registry's own origin (scheme, host and port), so a presigned storage URL gets none; a call
 * with a fixed Authorization (a token request) sends it to its own URL only.
 */
final class Exchange {

    static final int MAX_REDIRECTS = 5;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    /** Decides each attempt's Authorization and hears how each attempt went. */
    interface Authorizer {
        /** The Authorization value for the next attempt; null sends none. */
        String next();

        /** After each attempt: its reply, or null when the registry could not be reached. */
        void attempted(Reply reply);
    }

    /** The attempts one logical request has made so far, shared by its authentication rounds. */
    static final class Tries {
        int attempts;
        int connectFailures;
    }

    private final RegistrySettings settings;
    private final Transport transport;
    private final RetryPolicy retry;
    private final LogListener listener;

    Exchange(RegistrySettings settings, Transport transport) {
        this.settings = settings;
        this.transport = transport;
        this.retry = new RetryPolicy(settings.maxAttempts(), settings.retryBackoff(), settings.maxRetryAfter());
        this.listener = settings.listener();
    }

    /** Sends the call's own {@link Call#fixedAuthorization} (or nothing) on every attempt. */
    static Authorizer fixed(Call call) {
        return new Authorizer() {
            @Override
            public String next() {
                return call.fixedAuthorization;
            }

            @Override
            public void attempted(Reply reply) {
                // nothing to learn: a fixed Authorization is not renegotiated
            }
        };
    }

    /**
     * Runs attempts to a reply that is final here: 2xx, or a status that is not retried (or no longer: see
     * {@link Reply#attempts}); 401 is never retried here, re-authentication is the caller's. Network failures
     * that outlast the retries throw {@link RegistryException}.
     */
    Reply send(Call call, Deadline deadline, Authorizer authorizer, Tries tries) {
        int maxAttempts = call.maxAttempts > 0 ? call.maxAttempts : retry.maxAttempts();
        if (call.streamBody != null) {
            maxAttempts = 1; // the stream is read once; a failed upload restarts with a new session instead
        }
        while (true) {
            tries.attempts++;
            String authorization = authorizer.next();
            Reply reply;
            try {
                reply = attempt(call, authorization, deadline);
            } catch (IOException e) {
                authorizer.attempted(null);
                if (RetryPolicy.isConnectFailure(e)) {
                    tries.connectFailures++;
                }
                // A refused connection means the registry is down: one more try, not minutes of them.
                boolean again = RetryPolicy.retryable(e)
                        && tries.attempts < maxAttempts
                        && !deadline.expired()
                        && (!RetryPolicy.isConnectFailure(e)
                                || tries.connectFailures < RetryPolicy.MAX_CONNECT_ATTEMPTS);
                Duration wait = retry.backoff(tries.attempts);
                if (!again || !deadline.allows(wait)) {
                    throw networkFailure(call, e, tries.attempts, deadline);
                }
                listener.debug(call.operation + ": " + describe(e) + "; retrying in " + wait.toMillis() + " ms");
                sleep(wait);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException(call.operation + " was interrupted", e);
            }
            reply.attempts = tries.attempts;
            authorizer.attempted(reply);
            if (RetryPolicy.retryable(reply.status)
                    && !call.noRetry.contains(reply.status)
                    && tries.attempts < maxAttempts) {
                int tried = tries.attempts;
                Duration wait = retry.retryAfter(reply.header("Retry-After"), Instant.now())
                        .orElseGet(() -> retry.backoff(tried));
                if (deadline.allows(wait)) {
                    listener.debug(
                            call.operation + ": HTTP " + reply.status + "; retrying in " + wait.toMillis() + " ms");
                    reply.close();
                    sleep(wait);
                    continue;
                }
                listener.debug(call.operation + ": HTTP " + reply.status + "; waiting " + wait.toMillis()
                        + " ms would pass the deadline of "
                        + settings.deadline().toSeconds() + " s");
            }
            return reply;
        }
    }

    private RegistryException networkFailure(Call call, IOException e, int attempts, Deadline deadline) {
        String host = call.uri.getHost() + (call.uri.getPort() == -1 ? "" : ":" + call.uri.getPort());
        String after = attempts > 1 ? " after " + attempts + " attempts" : "";
        if (e instanceof SSLException || e.getCause() instanceof SSLException) {
            return new RegistryException(
                    call.operation + " failed: TLS with " + host + " failed (" + describe(e)
                            + "). If the registry uses a private CA, give its certificate as the CA file; if it serves"
                            + " plain HTTP, name it as an insecure registry.",
                    e);
        }
        if (e instanceof HttpTimeoutException || deadline.expired()) {
            return new RegistryException(
                    call.operation + " failed: " + host + " did not answer in time" + after
                            + " (deadline " + settings.deadline().toSeconds() + " s, " + describe(e)
                            + "). Check that the registry is healthy, or allow more time.",
                    e);
        }
        return new RegistryException(
                call.operation + " failed: cannot reach " + host + after + " (" + describe(e)
                        + "). Check that the registry is running and that the address and port are right.",
                e);
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        String name = e.getClass().getSimpleName();
        if (message == null || message.isBlank()) {
            return name;
        }
        // JDK messages can quote a URL; keep only its redacted form.
        return name + ": "
                + RegistryErrors.truncate(
                        RegistryErrors.oneLine(message.replaceAll("(https?://[^\\s?]*)\\?\\S*", "$1?***")), 200);
    }

    /** One attempt: the request, then any redirects, then the body read. */
    private Reply attempt(Call call, String authorization, Deadline deadline) throws IOException, InterruptedException {
        URI uri = call.uri;
        for (int hop = 0; ; hop++) {
            // The JDK counts a request's timeout until the response headers, so a streamed upload that keeps
            // flowing for longer than one request may take would be cut off: it is bounded by the call's deadline,
            // and a source that stops sending by IdleGuard.
            Duration timeout = call.streamBody != null
                    ? deadline.remaining()
                    : min(settings.requestTimeout(), deadline.remaining());
            if (timeout.isZero()) {
                throw new LimitedBody.DeadlineException();
            }
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(uri).timeout(timeout).header("User-Agent", settings.userAgent());
            call.headers.forEach(request::header);
            boolean sendAuth = authorization != null
                    && (call.fixedAuthorization != null ? uri.equals(call.uri) : call.endpoint.sameOrigin(uri));
            if (sendAuth) {
                request.header("Authorization", authorization);
            }
            request.method(call.method, publisher(call));
            HttpResponse<InputStream> response = transport.send(
                    request.build(),
                    sendAuth
                            ? authorization
                                    .substring(0, authorization.indexOf(' '))
                                    .toLowerCase(Locale.ROOT)
                            : "none");
            int status = response.statusCode();
            if (REDIRECTS.contains(status) && call.followRedirects) {
                String location = response.headers().firstValue("Location").orElse(null);
                LimitedBody.discard(response.body());
                if (call.streamBody != null) {
                    // The body went to the first hop and cannot be sent again: a new session must re-read it.
                    throw new UploadSessionLostException(
                            call.operation + " failed: the registry redirected the" + " streamed upload (HTTP " + status
                                    + "); the upload session is lost and a new one is needed");
                }
                if (location == null) {
                    throw new RegistryException(
                            call.operation + " failed: HTTP " + status + " redirect without a Location", status, null);
                }
                uri = nextHop(call, uri, location, status, hop);
                continue;
            }
            return LimitedBody.read(call, response, uri, deadline);
        }
    }

    private URI nextHop(Call call, URI from, String location, int status, int hop) {
        if (hop + 1 > MAX_REDIRECTS) {
            throw new RegistryException(
                    call.operation + " failed: more than " + MAX_REDIRECTS + " redirects", status, null);
        }
        boolean safeMethod = call.method.equals("GET") || call.method.equals("HEAD");
        if (!safeMethod && status != 307 && status != 308) {
            throw new RegistryException(
                    call.operation + " failed: the registry redirected a " + call.method + " with HTTP " + status
                            + ", which would drop its body",
                    status,
                    null);
        }
        URI next;
        try {
            next = from.resolve(new URI(location.strip()));
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            throw new RegistryException(
                    call.operation + " failed: unusable redirect Location " + Redact.text(location), status, null);
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new RegistryException(
                    call.operation + " failed: refusing a redirect to " + Redact.url(next)
                            + " (only http and https are followed)",
                    status,
                    null);
        }
        if ("https".equalsIgnoreCase(from.getScheme()) && scheme.equals("http")) {
            throw new RegistryException(
                    call.operation + " failed: refusing a redirect from https to plain http (" + Redact.url(next)
                            + "); content must not travel unencrypted",
                    status,
                    null);
        }
        listener.debug(call.operation + ": redirected to " + Redact.url(next)
                + (call.endpoint.sameOrigin(next) ? "" : " (another origin: no credentials sent there)"));
        return next;
    }

    private static HttpRequest.BodyPublisher publisher(Call call) {
        if (call.streamBody != null) {
            return HttpRequest.BodyPublishers.fromPublisher(
                    HttpRequest.BodyPublishers.ofInputStream(call.streamBody), call.streamLength);
        }
        if (call.body != null) {
            return HttpRequest.BodyPublishers.ofByteArray(call.body);
        }
        return HttpRequest.BodyPublishers.noBody();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while waiting to retry", e);
        }
    }

    /**
     * A streamed body (a copied blob) was consumed by an exchange that cannot complete (401 re-authentication,
     * redirect): the caller opens a new upload session and streams the blob again.
     */
    static final class UploadSessionLostException extends RegistryException {
        private static final long serialVersionUID = 1L;

        UploadSessionLostException(String message) {
            super(message, -1, null);
        }
    }
}
