package io.jenkins.plugins.multiarch.registry;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLException;

/**
 * When to try a request again and how long to wait: 408, 429, 500, 502, 503, 504 and I/O failures
 * (connection reset, refused, timeouts) are retried, everything else is final. The wait is the server's
 * Retry-After (seconds or an HTTP date, capped) or else exponential backoff with jitter. 401 and 403 are
 * never retried here: the single re-authentication is the exchange's business.
 */
final class RetryPolicy {

    private static final Set<Integer> RETRYABLE_STATUS = Set.of(408, 429, 500, 502, 503, 504);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** A registry that refuses connections is most likely down: try again once, not for minutes. */
    static final int MAX_CONNECT_ATTEMPTS = 2;

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxRetryAfter;

    RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxRetryAfter) {
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxRetryAfter = maxRetryAfter;
    }

    int maxAttempts() {
        return maxAttempts;
    }

    static boolean retryable(int status) {
        return RETRYABLE_STATUS.contains(status);
    }

    /** TLS failures are configuration problems: retrying cannot fix them. */
    static boolean retryable(IOException e) {
        return !(e instanceof SSLException) && !(e.getCause() instanceof SSLException);
    }

    static boolean isConnectFailure(IOException e) {
        return e instanceof ConnectException; // the JDK's connect timeout is an HttpTimeoutException, not one of these
    }

    /** Backoff before attempt {@code attempt + 1}: initial × 2^(attempt-1), capped, with 50-100 % jitter. */
    Duration backoff(int attempt) {
        long base = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, MAX_BACKOFF.toMillis());
        long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        return Duration.ofMillis(Math.max(1, jittered));
    }

    /** The server's Retry-After as a wait from now, capped at the configured maximum; empty when absent or unreadable. */
    Optional<Duration> retryAfter(Optional<String> header, Instant now) {
        if (header.isEmpty() || header.get().isBlank()) {
            return Optional.empty();
        }
        String value = header.get().strip();
        Duration wait;
        try {
            wait = Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                wait = Duration.between(now, at);
                if (wait.isNegative()) {
                    wait = Duration.ZERO;
                }
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
        return Optional.of(wait.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : wait);
    }
}
