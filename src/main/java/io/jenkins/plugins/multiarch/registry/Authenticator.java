package io.jenkins.plugins.multiarch.registry;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.RegistryException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * Basic with the credentials found for that very host (never preemptively to a host that did not ask, and never
 * an identity token, which only a token service gets), or a Bearer token from its token service for the scopes
 * the request needs, cached per (registry, credentials, scope set) and reused by any request whose scopes it covers.
 *
 * <p>Concurrent callers share the work: the first request to a registry learns its challenge while the
 * others wait for it, and a token fetch under way is awaited by every caller it covers, so N parallel first
 * requests cost one 401 and one token instead of N of each.
 *
 * <p>It sends nothing itself: {@code RegistryHttp} shows it each 401, and tokens come from its
 * {@link TokenFetcher}, which runs on the transport below both. So nothing here calls back into the request loop.
 */
final class Authenticator {

    /** How long a caller waits for another's first contact or token fetch before going on by itself. */
    private static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private final CredentialsSource credentials;
    private final Set<String> insecureRegistries;
    private final TokenFetcher fetcher;
    private final TokenCache tokens;
    private final LogListener listener;
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
            TokenFetcher fetcher,
            LogListener listener,
            Clock clock) {
        this.credentials = credentials;
        this.insecureRegistries = Set.copyOf(insecureRegistries);
        this.fetcher = fetcher;
        this.listener = listener;
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

    /**
     * The Authorization value for a request to this registry with these scopes; empty = anonymous. {@code fresh}
     * (after the registry refused a token) skips cached tokens, which may be as stale as the refused one, and
     * joins only a fetch of exactly these scopes. A token fetch counts against the request's {@code deadline}.
     */
    Optional<String> authorization(
            Endpoint endpoint, Set<String> scopes, String operation, boolean fresh, Deadline deadline) {
        AuthChallenge challenge = challenges.get(endpoint.registry());
        if (challenge == null) {
            return Optional.empty();
        }
        Optional<RegistryCredentials> creds = credentials.lookup(endpoint.registry());
        if (challenge.scheme().equals(AuthChallenge.BASIC)) {
            // an identity token is for a token service only: never "<token>:secret" as Basic
            return creds.filter(c -> !c.isIdentityToken()).map(RegistryCredentials::basicAuthorization);
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
                BearerToken token = fetcher.fetch(endpoint, challenge, scopes, creds, operation, deadline);
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
        } else {
            Optional<RegistryCredentials> creds = credentials.lookup(endpoint.registry());
            if (creds.isEmpty()) {
                throw new RegistryAuthenticationException(
                        operation + " failed: " + endpoint.registry()
                                + " requires a user name and password and none are configured for "
                                + endpoint.registry() + ". Give credentials for " + endpoint.registry()
                                + " (docker login, or the job's credentials).",
                        401);
            }
            if (creds.get().isIdentityToken()) {
                throw new RegistryAuthenticationException(
                        operation + " failed: " + endpoint.registry() + " requires a user name and password (Basic"
                                + " authentication), and the credentials configured for " + endpoint.registry()
                                + " are an identity token, which only a registry's token service accepts and which is"
                                + " never sent as a password. Give a user name and password for " + endpoint.registry()
                                + " (docker login " + endpoint.registry() + " -u USER, or the job's credentials).",
                        401);
            }
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
}
