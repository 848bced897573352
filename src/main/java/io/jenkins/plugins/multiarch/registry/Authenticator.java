package io.jenkins.plugins.multiarch.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.RegistryException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Decides the Authorization of each request. A registry is first asked anonymously; its 401 challenge
 * tells us how it authenticates, and from then on that registry gets that kind of authorization up front:
 * Basic with the credentials found for that very host (never preemptively to a host that did not ask),
 * or a Bearer token from its token service for the scopes the request needs, cached per
 * (registry, credentials, scope set) and reused by any request whose scopes it covers.
 *
 * <p>Concurrent callers share the work: the first request to a registry learns its challenge while the
 * others wait for it, and a token fetch under way is awaited by every caller it covers, so N parallel first
 * requests cost one 401 and one token instead of N of each.
 */
final class Authenticator {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How long a caller waits for another's first contact or token fetch before going on by itself. */
    private static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private final CredentialsSource credentials;
    private final Set<String> insecureRegistries;
    private final RegistryHttp http;
    private final TokenCache tokens;
    private final LogListener listener;
    private final Clock clock;
    /** What each registry (host[:port]) asked for in its last challenge. */
    private final ConcurrentMap<String, AuthChallenge> challenges = new ConcurrentHashMap<>();
    /**
     * First contact per registry: the first caller asks anonymously and learns the challenge; callers
     * arriving meanwhile wait for it (counted down) instead of each collecting their own 401.
     */
    private final ConcurrentMap<String, CountDownLatch> firstContact = new ConcurrentHashMap<>();
    /** Token fetches under way: a caller whose scopes one of them covers waits for it instead of fetching. */
    private final ConcurrentMap<TokenCache.Key, CompletableFuture<BearerToken>> fetching = new ConcurrentHashMap<>();

    Authenticator(
            CredentialsSource credentials,
            Set<String> insecureRegistries,
            RegistryHttp http,
            LogListener listener,
            Clock clock) {
        this.credentials = credentials;
        this.insecureRegistries = Set.copyOf(insecureRegistries);
        this.http = http;
        this.listener = listener;
        this.clock = clock;
        this.tokens = new TokenCache(clock);
    }

    /**
     * Called before a request's first attempt. True when this caller is the first to contact the registry
     * and must report with {@link #firstContactDone(Endpoint)} once its answer was handled (401 learned or not);
     * false when the challenge is known, or after waiting (bounded) for the caller that made first contact.
     */
    boolean beginFirstContact(Endpoint endpoint, Deadline deadline) {
        if (challenges.containsKey(endpoint.registry())) {
            return false;
        }
        CountDownLatch mine = new CountDownLatch(1);
        CountDownLatch first = firstContact.putIfAbsent(endpoint.registry(), mine);
        if (first == null) {
            return true;
        }
        await(first, deadline);
        return false;
    }

    /** Releases the callers waiting for this registry's first contact. Idempotent. */
    void firstContactDone(Endpoint endpoint) {
        CountDownLatch first = firstContact.get(endpoint.registry());
        if (first != null) {
            first.countDown();
        }
    }

    private static void await(CountDownLatch latch, Deadline deadline) {
        long millis =
                Math.min(MAX_WAIT.toMillis(), Math.max(1, deadline.remaining().toMillis()));
        try {
            latch.await(millis, TimeUnit.MILLISECONDS); // on timeout go on anyway: the request itself decides
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while waiting for the registry's authentication", e);
        }
    }

    /** The Authorization value for a request to this registry with these scopes; empty = anonymous. */
    Optional<String> authorization(Endpoint endpoint, Set<String> scopes, String operation) {
        return authorization(endpoint, scopes, operation, false);
    }

    /**
     * As {@link #authorization(Endpoint, Set, String)}; {@code fresh} (after the registry refused a token) skips
     * cached tokens, which may be as stale as the refused one, and joins only a fetch of exactly these scopes.
     */
    Optional<String> authorization(Endpoint endpoint, Set<String> scopes, String operation, boolean fresh) {
        AuthChallenge challenge = challenges.get(endpoint.registry());
        if (challenge == null) {
            return Optional.empty();
        }
        Optional<RegistryCredentials> creds = credentials.lookup(endpoint.registry());
        if (challenge.scheme().equals(AuthChallenge.BASIC)) {
            return creds.map(RegistryCredentials::basicAuthorization);
        }
        TokenCache.Key key = key(endpoint, challenge, creds, scopes);
        while (true) {
            Optional<BearerToken> cached = fresh ? Optional.empty() : tokens.get(key);
            if (cached.isPresent()) {
                return Optional.of(cached.get().authorization());
            }
            CompletableFuture<BearerToken> running = fresh ? fetching.get(key) : runningFetchCovering(key);
            if (running != null) {
                Optional<BearerToken> shared = awaitFetch(running, operation);
                if (shared.isPresent()) {
                    return Optional.of(shared.get().authorization());
                }
                continue; // that fetch failed in a way our own may not: look again, then fetch
            }
            CompletableFuture<BearerToken> mine = new CompletableFuture<>();
            if (fetching.putIfAbsent(key, mine) != null) {
                continue; // someone started exactly this fetch just now: wait for it
            }
            try {
                BearerToken token = fetchToken(endpoint, challenge, scopes, creds, operation);
                tokens.put(key, token);
                mine.complete(token);
                return Optional.of(token.authorization());
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                fetching.remove(key, mine);
            }
        }
    }

    private CompletableFuture<BearerToken> runningFetchCovering(TokenCache.Key key) {
        CompletableFuture<BearerToken> exact = fetching.get(key);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<TokenCache.Key, CompletableFuture<BearerToken>> entry : fetching.entrySet()) {
            if (entry.getKey().covers(key)) {
                return entry.getValue();
            }
        }
        return null;
    }

    /**
     * The token another caller fetched; empty when its fetch failed for a reason of its own (network,
     * timeout). A refusal by the token service is the same for us: it is rethrown under our operation.
     */
    private Optional<BearerToken> awaitFetch(CompletableFuture<BearerToken> running, String operation) {
        try {
            return Optional.of(running.get(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(operation + " was interrupted while waiting for a token", e);
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RegistryAuthenticationException refused) {
                throw new RegistryAuthenticationException(refused.getMessage(), refused.statusCode());
            }
            return Optional.empty();
        }
    }

    /**
     * Learns from a 401: validates and remembers the challenge, forgets a refused token, and returns the
     * scopes the retry needs (ours plus any the registry named). Throws when no retry can succeed.
     */
    Set<String> onUnauthorized(
            Endpoint endpoint,
            List<String> headerValues,
            Set<String> scopes,
            String refusedAuthorization,
            String operation) {
        List<AuthChallenge> parsed = ChallengeParser.parse(headerValues);
        AuthChallenge challenge = AuthChallenge.preferred(parsed)
                .orElseThrow(() -> new RegistryAuthenticationException(
                        operation + " failed: " + endpoint.registry() + " answered 401 "
                                + (parsed.isEmpty()
                                        ? "without a usable WWW-Authenticate challenge"
                                        : "asking for "
                                                + parsed.stream()
                                                        .map(AuthChallenge::scheme)
                                                        .collect(Collectors.joining(", "))
                                                + " authentication, which is not supported (only Basic and Bearer)")
                                + ". Check the registry address and its authentication settings.",
                        401));
        if (challenge.scheme().equals(AuthChallenge.BEARER)) {
            TokenRealm.validate(endpoint, challenge.param("realm").orElse(null), insecureRegistries);
        } else if (credentials.lookup(endpoint.registry()).isEmpty()) {
            throw new RegistryAuthenticationException(
                    operation + " failed: " + endpoint.registry()
                            + " requires a user name and password and none are configured for " + endpoint.registry()
                            + ". Give credentials for " + endpoint.registry()
                            + " (docker login, or the job's credentials).",
                    401);
        }
        AuthChallenge previous = challenges.put(endpoint.registry(), challenge);
        if (refusedAuthorization != null
                && previous != null
                && previous.scheme().equals(AuthChallenge.BEARER)) {
            tokens.invalidate(refusedAuthorization);
        }
        Set<String> merged = new LinkedHashSet<>(scopes);
        if (challenge.scheme().equals(AuthChallenge.BEARER)) {
            // the registry may name a scope we already ask for in another spelling ("push,pull"): ask once
            for (String named : challenge.scopes()) {
                if (!Scopes.covers(merged, Set.of(named))) {
                    merged.add(named);
                }
            }
        }
        listener.debug(endpoint.registry() + " asks for " + challenge.scheme() + " authentication");
        return merged;
    }

    boolean hasCredentials(Endpoint endpoint) {
        return credentials.lookup(endpoint.registry()).isPresent();
    }

    private TokenCache.Key key(
            Endpoint endpoint, AuthChallenge challenge, Optional<RegistryCredentials> creds, Set<String> scopes) {
        return TokenCache.Key.of(
                endpoint.registry(),
                challenge.param("realm").orElse(""),
                challenge.param("service").orElse(""),
                creds.map(RegistryCredentials::fingerprint).orElse("anonymous"),
                scopes);
    }

    /** GET realm?service=..&scope=..&scope=.. with Basic credentials (or none); no redirects followed. */
    private BearerToken fetchToken(
            Endpoint endpoint,
            AuthChallenge challenge,
            Set<String> scopes,
            Optional<RegistryCredentials> creds,
            String operation) {
        URI realm = TokenRealm.validate(endpoint, challenge.param("realm").orElse(null), insecureRegistries);
        StringBuilder query = new StringBuilder(realm.getRawQuery() == null ? "" : realm.getRawQuery());
        challenge.param("service").filter(s -> !s.isEmpty()).ifPresent(s -> append(query, "service", s));
        for (String scope : new TreeSet<>(scopes)) {
            append(query, "scope", scope);
        }
        String base = realm.getScheme() + "://" + realm.getRawAuthority()
                + (realm.getRawPath() == null ? "" : realm.getRawPath());
        URI uri = URI.create(base + (query.length() == 0 ? "" : "?" + query));
        String who = creds.map(c -> "the credentials of user " + c.username()).orElse("anonymous access");
        Call call = new Call(
                        "get a token for " + endpoint.registry() + " from " + Redact.url(realm) + " (to " + operation
                                + ")",
                        new Endpoint(realm.getRawAuthority(), realm.getScheme()),
                        "GET",
                        uri)
                .noRedirects()
                .maxBody(1024 * 1024);
        call.authenticate = false;
        call.fixedAuthorization =
                creds.map(RegistryCredentials::basicAuthorization).orElse(null);
        Instant requested = clock.instant();
        Reply reply = http.send(call);
        if (reply.status >= 300 && reply.status < 400) {
            throw new RegistryAuthenticationException(
                    call.operation + " failed: the token service answered with a"
                            + " redirect (HTTP " + reply.status
                            + "), which is never followed with credentials. Check the"
                            + " registry's token service configuration.",
                    reply.status);
        }
        if (reply.status == 401 || reply.status == 403) {
            throw new RegistryAuthenticationException(
                    call.operation + " failed: the token service refused " + who + " (HTTP " + reply.status
                            + "). Check the credentials for " + endpoint.registry() + ".",
                    reply.status);
        }
        if (!reply.ok()) {
            throw RegistryErrors.failure(call.operation, endpoint, scopes.toString(), reply);
        }
        JsonNode body;
        try {
            body = JSON.readTree(reply.body);
        } catch (Exception e) {
            throw new RegistryException(
                    call.operation + " failed: the token service's answer is not JSON", reply.status, null);
        }
        String token = body.path("token").asText("");
        if (token.isEmpty()) {
            token = body.path("access_token").asText("");
        }
        if (token.isEmpty()) {
            throw new RegistryAuthenticationException(
                    call.operation + " failed: the token service answered without"
                            + " a token. Check the credentials for " + endpoint.registry() + ".",
                    reply.status);
        }
        Instant issued = requested;
        String issuedAt = body.path("issued_at").asText("");
        if (!issuedAt.isEmpty()) {
            try {
                Instant at = Instant.parse(issuedAt);
                // A skewed server clock must not make the token look expired or immortal.
                if (Math.abs(at.getEpochSecond() - requested.getEpochSecond()) < 300) {
                    issued = at;
                }
            } catch (DateTimeParseException ignored) {
                // keep our own clock
            }
        }
        return BearerToken.issued(token, issued, body.path("expires_in").asLong(0));
    }

    private static void append(StringBuilder query, String name, String value) {
        if (query.length() > 0) {
            query.append('&');
        }
        query.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
}
