package io.jenkins.plugins.multiarch.registry;

import java.time.Duration;
import java.time.Instant;

/** A token from a token service and when to stop using it. {@link #toString()} hides the token. */
record BearerToken(String token, Instant expiresAt) {

    /** Docker's token spec: a missing {@code expires_in} means 60 seconds; shorter lifetimes are raised to it. */
    static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

    static BearerToken issued(String token, Instant issuedAt, long expiresInSeconds) {
        Duration lifetime = expiresInSeconds <= 0 ? DEFAULT_LIFETIME : Duration.ofSeconds(expiresInSeconds);
        if (lifetime.compareTo(DEFAULT_LIFETIME) < 0) {
            lifetime = DEFAULT_LIFETIME;
        }
        // Renew a little early so a token does not expire between our check and the registry's.
        Duration margin = lifetime.dividedBy(10).compareTo(Duration.ofSeconds(10)) > 0
                ? Duration.ofSeconds(10)
                : lifetime.dividedBy(10);
        return new BearerToken(token, issuedAt.plus(lifetime).minus(margin));
    }

    boolean usableAt(Instant now) {
        return now.isBefore(expiresAt);
    }

    String authorization() {
        return "Bearer " + token;
    }

    @Override
    public String toString() {
        return "BearerToken[****, expiresAt=" + expiresAt + "]";
    }
}
