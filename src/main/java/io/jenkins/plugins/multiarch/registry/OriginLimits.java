package io.jenkins.plugins.multiarch.registry;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many requests go to one origin (scheme, host, port) at once, across every client that shares one
 * {@link Connections}. The JDK client has no per-host limit: it opens an HTTP/1.1 connection per concurrent
 * request, and for https it opens a TLS connection per concurrent request until its first HTTP/2 connection to
 * that host is established (only then is one pooled). So without limits 100 publishes at once would open
 * hundreds of connections to one registry.
 *
 * <ul>
 * <li>HTTP/1.1: at most {@value #HTTP1_MAX} requests at once, so at most that many connections in use;</li>
 * <li>HTTP/2: at most {@value #HTTP2_MAX_STREAMS} at once, the streams every server should allow on its one
 * connection (RFC 9113 section 6.5.2 recommends no fewer);</li>
 * <li>an https origin whose protocol is not known (first contact, or idle for {@link #REPROBE_AFTER_IDLE}, after
 * which the client or the server may have closed the connection): one request goes first and the others wait
 * for its answer, which tells the protocol; on HTTP/2 they then share its connection.</li>
 * </ul>
 *
 * <p>A thread that already holds a slot for an origin gets another at once: a blob streamed out of a registry
 * into an upload to the same registry must not wait for slots its own download holds.
 */
final class OriginLimits {

    static final int HTTP1_MAX = 8;
    static final int HTTP2_MAX_STREAMS = 100;
    static final Duration REPROBE_AFTER_IDLE = Duration.ofSeconds(25);

    private final ConcurrentMap<String, Origin> origins = new ConcurrentHashMap<>();
    private final long reprobeAfterIdleNanos;

    OriginLimits() {
        this(REPROBE_AFTER_IDLE);
    }

    /** With another idle time before the protocol is learned again (tests). */
    OriginLimits(Duration reprobeAfterIdle) {
        this.reprobeAfterIdleNanos = reprobeAfterIdle.toNanos();
    }

    /**
     * Waits (at most {@code maxWait}) for a slot to send one request to {@code uri}'s origin. The caller must
     * {@link Slot#release()} it once the exchange is over (its response body read or closed, or the exchange
     * failed) and should report the response's protocol with {@link Slot#learned(HttpClient.Version)}.
     */
    Slot acquire(URI uri, Duration maxWait) throws HttpTimeoutException, InterruptedException {
        String key = key(uri);
        Origin origin = origins.computeIfAbsent(key, k -> new Origin(k, k.startsWith("https:"), reprobeAfterIdleNanos));
        return origin.acquire(maxWait);
    }

    /** Requests in flight to an origin (tests). */
    int inFlight(URI uri) {
        Origin origin = origins.get(key(uri));
        return origin == null ? 0 : origin.inFlight();
    }

    /** {@code scheme://host:port}, lower case, the port explicit. */
    private static String key(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        return scheme + "://" + host + ":" + Endpoint.port(uri);
    }

    /** One request's permission to go to an origin. */
    interface Slot {
        /** The protocol the response came over: it sets the origin's limit. */
        void learned(HttpClient.Version version);

        /** Idempotent. */
        void release();
    }

    private static final class Origin {
        private final String key;
        private final boolean secure;
        private final long reprobeAfterIdleNanos;
        private final ReentrantLock lock = new ReentrantLock(true);
        private final Condition changed = lock.newCondition();
        private final Map<Thread, Integer> holders = new HashMap<>();
        /** null: not known (https before an answer); plain http is always HTTP/1.1 (the client forces it). */
        private HttpClient.Version version;

        private int inFlight;
        private boolean probing;
        private long idleSince = System.nanoTime();

        Origin(String key, boolean secure, long reprobeAfterIdleNanos) {
            this.key = key;
            this.secure = secure;
            this.reprobeAfterIdleNanos = reprobeAfterIdleNanos;
            this.version = secure ? null : HttpClient.Version.HTTP_1_1;
        }

        int inFlight() {
            lock.lock();
            try {
                return inFlight;
            } finally {
                lock.unlock();
            }
        }

        Slot acquire(Duration maxWait) throws HttpTimeoutException, InterruptedException {
            Thread me = Thread.currentThread();
            long deadline = System.nanoTime() + maxWait.toNanos();
            lock.lockInterruptibly();
            try {
                while (true) {
                    if (holders.containsKey(me)) {
                        return grant(me, false);
                    }
                    if (secure
                            && version != null
                            && inFlight == 0
                            && System.nanoTime() - idleSince > reprobeAfterIdleNanos) {
                        version = null; // the connection may be gone: learn again before a burst opens many
                    }
                    if (version == null) {
                        if (!probing) {
                            probing = true;
                            return grant(me, true);
                        }
                    } else if (inFlight < (version == HttpClient.Version.HTTP_2 ? HTTP2_MAX_STREAMS : HTTP1_MAX)) {
                        return grant(me, false);
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new HttpTimeoutException("waited " + maxWait.toSeconds() + " s for one of the "
                                + limitText() + " requests allowed at once to " + key);
                    }
                    if (changed.awaitNanos(left) <= 0) {
                        continue; // the deadline check above ends the wait
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        private String limitText() {
            return version == null
                    ? "first"
                    : String.valueOf(version == HttpClient.Version.HTTP_2 ? HTTP2_MAX_STREAMS : HTTP1_MAX);
        }

        private Slot grant(Thread owner, boolean probe) {
            inFlight++;
            holders.merge(owner, 1, Integer::sum);
            return new OriginSlot(this, owner, probe);
        }

        void learned(OriginSlot slot, HttpClient.Version answered) {
            lock.lock();
            try {
                if (slot.probe && probing) {
                    probing = false;
                    version = answered;
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }

        void release(OriginSlot slot) {
            lock.lock();
            try {
                inFlight--;
                holders.computeIfPresent(slot.owner, (t, n) -> n > 1 ? n - 1 : null);
                if (slot.probe && probing) {
                    probing = false; // no answer: the next waiter tries
                }
                if (inFlight == 0) {
                    idleSince = System.nanoTime();
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private static final class OriginSlot implements Slot {
        private final Origin origin;
        private final Thread owner;
        private final boolean probe;
        private final AtomicBoolean released = new AtomicBoolean();
        private final AtomicBoolean told = new AtomicBoolean();

        OriginSlot(Origin origin, Thread owner, boolean probe) {
            this.origin = origin;
            this.owner = owner;
            this.probe = probe;
        }

        @Override
        public void learned(HttpClient.Version version) {
            if (probe && told.compareAndSet(false, true)) {
                origin.learned(this, version);
            }
        }

        @Override
        public void release() {
            if (released.compareAndSet(false, true)) {
                origin.release(this);
            }
        }
    }
}
