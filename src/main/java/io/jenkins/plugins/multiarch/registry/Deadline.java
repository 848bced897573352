package io.jenkins.plugins.multiarch.registry;

import java.time.Duration;
import java.time.Instant;

/** The instant by which one logical request (retries, waits and auth round trips included) must be done. */
record Deadline(Instant end, Duration total) {

    static Deadline after(Duration total) {
        return new Deadline(Instant.now().plus(total), total);
    }

    Duration remaining() {
        Duration left = Duration.between(Instant.now(), end);
        return left.isNegative() ? Duration.ZERO : left;
    }

    boolean expired() {
        return remaining().isZero();
    }

    /** Whether waiting this long still leaves time for another try. */
    boolean allows(Duration wait) {
        return remaining().compareTo(wait) > 0;
    }
}
