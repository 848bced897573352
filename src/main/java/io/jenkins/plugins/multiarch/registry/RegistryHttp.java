package io.jenkins.plugins.multiarch.registry;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.RegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * Runs a {@link Call}: authorization (with one re-authentication on 401), our own redirect handling,
 * bounded retries with backoff under an overall deadline, and limited body reads.
 *
 * <p>Redirects: at most {@value #MAX_REDIRECTS}; never from https to http; the Authorization header only
 * goes to the registry's own origin (scheme, host and port), so a presigned storage URL gets none.
 */
final class RegistryHttp {

    static final int MAX_REDIRECTS = 5;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    /** Closes bodies that are still being read when their deadline passes. */
    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    private final RegistrySettings settings;
    private final Transport transport;
    private final RetryPolicy retry;
    private final Authenticator auth;
    private final LogListener listener;

    RegistryHttp(RegistrySettings settings) {
        this.settings = settings;
        this.transport = new Transport(settings);
        this.retry = new RetryPolicy(settings.maxAttempts(), settings.retryBackoff(), settings.maxRetryAfter());
        this.listener = settings.listener();
        this.auth = new Authenticator(
                settings.credentials(), settings.insecureRegistries(), this, listener, Clock.systemUTC());
    }

    int requestCount() {
        return transport.requestCount();
    }

    /** One daemon thread; a read that ends in time cancels its guard, which is then dropped at once, not kept until its deadline. */
    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "multiarch-registry-deadline");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** Guards not yet fired nor cancelled (tests: cancelled ones must not pile up). */
    static int pendingWatchdogTasks() {
        return WATCHDOG.getQueue().size();
    }

    /**
     * Runs the call to a final reply: 2xx, or a status that is not retried (or no longer: see
     * {@link Reply#attempts}). 401 after the one re-authentication throws. Network failures that outlast
     * the retries throw {@link RegistryException}.
     */
    Reply send(Call call) {
        Deadline deadline = Deadline.after(settings.deadline());
        int maxAttempts = call.maxAttempts > 0 ? call.maxAttempts : retry.maxAttempts();
        if (call.streamBody != null) {
            maxAttempts = 1; // the stream is read once; a failed upload restarts with a new session instead
        }
        Set<String> scopes = call.scopes;
        boolean reauthenticated = false;
        boolean freshToken = false;
        int attempt = 0;
        int connectFailures = 0;
        // Parallel first requests to one registry: one learns the challenge, the others wait for it.
        boolean firstContact = call.authenticate && auth.beginFirstContact(call.endpoint, deadline);
        try {
            while (true) {
                attempt++;
                String authorization = call.fixedAuthorization;
                if (call.authenticate) {
                    // After a refusal, a new token: a cached one covering these scopes may be as stale.
                    authorization = auth.authorization(call.endpoint, scopes, call.operation, freshToken)
                            .orElse(null);
                    freshToken = false;
                }
                Reply reply;
                try {
                    reply = exchange(call, authorization, deadline);
                } catch (IOException e) {
                    if (firstContact) {
                        auth.firstContactDone(call.endpoint);
                        firstContact = false;
                    }
                    if (RetryPolicy.isConnectFailure(e)) {
                        connectFailures++;
                    }
                    // A refused connection means the registry is down: one more try, not minutes of them.
                    boolean again = RetryPolicy.retryable(e)
                            && attempt < maxAttempts
                            && !deadline.expired()
                            && (!RetryPolicy.isConnectFailure(e) || connectFailures < RetryPolicy.MAX_CONNECT_ATTEMPTS);
                    Duration wait = retry.backoff(attempt);
                    if (!again || !deadline.allows(wait)) {
                        throw networkFailure(call, e, attempt, deadline);
                    }
                    listener.debug(call.operation + ": " + describe(e) + "; retrying in " + wait.toMillis() + " ms");
                    sleep(wait);
                    continue;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryException(call.operation + " was interrupted", e);
                }
                reply.attempts = attempt;
                if (reply.status == 401 && call.authenticate && call.endpoint.sameOrigin(reply.uri)) {
                    if (reauthenticated) {
                        throw unauthorized(call, reply);
                    }
                    reauthenticated = true;
                    freshToken = authorization != null;
                    scopes = auth.onUnauthorized(
                            call.endpoint,
                            reply.headers.allValues("WWW-Authenticate"),
                            scopes,
                            authorization,
                            call.operation);
                    if (call.streamBody != null) {
                        // The stream is spent: learn the challenge (the refused token is forgotten), then let
                        // the caller open a new session and read the blob again.
                        throw new UploadSessionLostException(call.operation + " failed: the registry asked to"
                                + " authenticate again (HTTP 401) after the blob was streamed; the upload session is"
                                + " lost and a new one is needed");
                    }
                    attempt--; // an authentication round trip is not a retry
                    continue;
                }
                if (firstContact) {
                    auth.firstContactDone(call.endpoint);
                    firstContact = false;
                }
                if (RetryPolicy.retryable(reply.status)
                        && !call.noRetry.contains(reply.status)
                        && attempt < maxAttempts) {
                    int tried = attempt;
                    Duration wait = retry.retryAfter(reply.header("Retry-After"), java.time.Instant.now())
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
        } finally {
            if (firstContact) {
                auth.firstContactDone(call.endpoint);
            }
        }
    }

    private RegistryAuthenticationException unauthorized(Call call, Reply reply) {
        String host = call.endpoint.registry();
        String why = auth.hasCredentials(call.endpoint)
                ? "the registry refused the credentials configured for " + host + ". Check the credentials for " + host
                        + "."
                : "the registry requires authentication and no credentials are configured for " + host
                        + ". Give credentials for " + host + " (docker login, or the job's credentials).";
        java.util.List<RegistryErrors.RegistryError> errors = RegistryErrors.parse(reply.body);
        return new RegistryAuthenticationException(
                call.operation + " failed: HTTP 401" + (errors.isEmpty() ? "" : " " + errors.get(0)) + ": " + why, 401);
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
        if (e instanceof HttpTimeoutException || e instanceof DeadlineException || deadline.expired()) {
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
    private Reply exchange(Call call, String authorization, Deadline deadline)
            throws IOException, InterruptedException {
        URI uri = call.uri;
        for (int hop = 0; ; hop++) {
            Duration timeout = min(settings.requestTimeout(), deadline.remaining());
            if (timeout.isZero()) {
                throw new DeadlineException();
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
                discard(response.body());
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
            return read(call, response, uri, deadline);
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

    private Reply read(Call call, HttpResponse<InputStream> response, URI uri, Deadline deadline) throws IOException {
        int status = response.statusCode();
        boolean ok = status >= 200 && status < 300;
        InputStream body = response.body();
        if (call.method.equals("HEAD")) {
            discard(body);
            return new Reply(status, response.headers(), uri, new byte[0], null);
        }
        if (ok && call.streamResponse) {
            return new Reply(status, response.headers(), uri, null, body);
        }
        long limit = ok ? call.maxBody : Call.ERROR_BODY_LIMIT;
        long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (ok && declared > limit) {
            discard(body);
            throw new BodyTooLargeException(
                    call.operation + " failed: the registry announced " + declared + " bytes, more than the limit of "
                            + limit + " bytes",
                    status);
        }
        byte[] bytes = readLimited(body, limit, deadline);
        if (bytes == null) {
            if (ok) {
                throw new BodyTooLargeException(
                        call.operation + " failed: the response is larger than the limit of " + limit + " bytes",
                        status);
            }
            bytes = new byte[0];
        }
        return new Reply(status, response.headers(), uri, bytes, null);
    }

    /** Reads at most {@code limit} bytes; null when there are more. Closes the stream at the deadline. */
    static byte[] readLimited(InputStream in, long limit, Deadline deadline) throws IOException {
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> guard = WATCHDOG.schedule(
                () -> {
                    timedOut.set(true);
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // the reader sees the failure
                    }
                },
                Math.max(1, deadline.remaining().toMillis()),
                TimeUnit.MILLISECONDS);
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[16 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (total > limit) {
                    return null;
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new DeadlineException();
            }
            throw e;
        } finally {
            guard.cancel(false);
        }
    }

    private static void discard(InputStream in) {
        try (in) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // a body we do not need
        }
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

    /** The overall deadline passed while a body was being read. */
    static final class DeadlineException extends HttpTimeoutException {
        private static final long serialVersionUID = 1L;

        DeadlineException() {
            super("deadline reached");
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

    /** A body over its limit: final, not retried. */
    static final class BodyTooLargeException extends RegistryException {
        private static final long serialVersionUID = 1L;

        BodyTooLargeException(String message, int status) {
            super(message, status, null);
        }
    }
}
