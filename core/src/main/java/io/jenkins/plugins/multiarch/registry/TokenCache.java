package io.jenkins.plugins.multiarch.registry;

import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Bearer tokens of one {@link RegistryClient}, keyed by registry, token service, credentials identity
 * and the exact scope set. One cache per client: two clients never share tokens, and within a client two
 * credential sets never do either (the key holds a fingerprint of the credentials, not the credentials).
 */
final class TokenCache {

    record Key(String registry, String realm, String service, String credentialsId, SortedSet<String> scopes) {
        Key {
            scopes = new TreeSet<>(scopes);
        }

        static Key of(String registry, String realm, String service, String credentialsId, Set<String> scopes) {
            return new Key(registry, realm, service, credentialsId, new TreeSet<>(scopes));
        }

        @Override
        public String toString() {
            return registry + " " + scopes;
        }
    }

    private final ConcurrentMap<Key, BearerToken> tokens = new ConcurrentHashMap<>();
    private final Clock clock;

    TokenCache(Clock clock) {
        this.clock = clock;
    }

    Optional<BearerToken> get(Key key) {
        BearerToken token = tokens.get(key);
        if (token == null) {
            return Optional.empty();
        }
        if (!token.usableAt(clock.instant())) {
            tokens.remove(key, token);
            return Optional.empty();
        }
        return Optional.of(token);
    }

    void put(Key key, BearerToken token) {
        tokens.put(key, token);
    }

    /** Forgets a token the registry refused, so the next request fetches a new one. */
    void invalidate(Key key, String refusedAuthorization) {
        tokens.computeIfPresent(key, (k, t) -> t.authorization().equals(refusedAuthorization) ? null : t);
    }

    int size() {
        return tokens.size();
    }
}
