package io.jenkins.plugins.multiarch.registry;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Bearer tokens of one {@link RegistryClient}, keyed by registry, token service, credentials identity
 * and scope set. One cache per client: two clients never share tokens, and within a client two
 * credential sets never do either (the key holds a fingerprint of the credentials, not the credentials).
 *
 * <p>A token is reused for any request whose scopes it covers (same registry, service and credentials,
 * granted scopes a superset), so a mount token ({@code dst:pull,push} + {@code src:pull}) also serves the
 * later pulls of either repository without another token round trip.
 */
final class TokenCache {

    record Key(String registry, String realm, String service, String credentialsId, SortedSet<String> scopes) {
        Key {
            scopes = new TreeSet<>(scopes);
        }

        static Key of(String registry, String realm, String service, String credentialsId, Set<String> scopes) {
            return new Key(registry, realm, service, credentialsId, new TreeSet<>(scopes));
        }

        /** Same registry, token service and credentials, and every scope of {@code wanted} granted here. */
        boolean covers(Key wanted) {
            return registry.equals(wanted.registry)
                    && realm.equals(wanted.realm)
                    && service.equals(wanted.service)
                    && credentialsId.equals(wanted.credentialsId)
                    && Scopes.covers(scopes, wanted.scopes);
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

    /** An unexpired token for exactly this key, else one whose scopes cover it. Expired tokens are dropped. */
    Optional<BearerToken> get(Key key) {
        BearerToken exact = usable(key, tokens.get(key));
        if (exact != null) {
            return Optional.of(exact);
        }
        for (Map.Entry<Key, BearerToken> entry : tokens.entrySet()) {
            if (entry.getKey().covers(key)) {
                BearerToken token = usable(entry.getKey(), entry.getValue());
                if (token != null) {
                    return Optional.of(token);
                }
            }
        }
        return Optional.empty();
    }

    private BearerToken usable(Key key, BearerToken token) {
        if (token == null) {
            return null;
        }
        if (!token.usableAt(clock.instant())) {
            tokens.remove(key, token);
            return null;
        }
        return token;
    }

    /** Stores a token under the scopes it was granted. */
    void put(Key key, BearerToken token) {
        tokens.put(key, token);
    }

    /** Forgets a token the registry refused, under whatever scopes it was stored, so the next request fetches a new one. */
    void invalidate(String refusedAuthorization) {
        tokens.values().removeIf(t -> t.authorization().equals(refusedAuthorization));
    }

    int size() {
        return tokens.size();
    }
}
