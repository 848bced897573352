package io.jenkins.plugins.multiarch.registry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One challenge of a {@code WWW-Authenticate} header: the scheme (lower case) and its parameters (names
 * lower case, values as sent). Parsed by {@link ChallengeParser}.
 */
record AuthChallenge(String scheme, Map<String, String> params) {

    static final String BEARER = "bearer";
    static final String BASIC = "basic";

    AuthChallenge {
        params = Map.copyOf(params);
    }

    Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name));
    }

    /** The scopes the registry named: {@code scope} may hold several, separated by spaces. */
    Set<String> scopes() {
        String scope = params.get("scope");
        if (scope == null || scope.isBlank()) {
            return Set.of();
        }
        return new LinkedHashSet<>(Arrays.asList(scope.strip().split("\\s+")));
    }

    /** Bearer first (it scopes access), then Basic; other schemes are not supported. */
    static Optional<AuthChallenge> preferred(List<AuthChallenge> challenges) {
        List<AuthChallenge> ordered = new ArrayList<>();
        challenges.stream().filter(c -> c.scheme().equals(BEARER)).forEach(ordered::add);
        challenges.stream().filter(c -> c.scheme().equals(BASIC)).forEach(ordered::add);
        return ordered.stream().findFirst();
    }

    @Override
    public String toString() {
        // Parameters of a challenge are not secret, but keep the realm's query out of logs all the same.
        return scheme + " " + params.keySet();
    }
}
