package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-origin limits on their own: slots, the first https request going alone, a holder never waiting on itself. */
class RegistryOriginLimitsTest {

    private static final URI PLAIN = URI.create("http://registry.example:5000/v2/");
    private static final URI SECURE = URI.create("https://registry.example/v2/");
    private static final Duration SHORT = Duration.ofMillis(200);

    /**
     * Takes a slot on a new thread (never a pooled one: a thread holding a slot would get the next at once); the
     * future completes when it got one, or fails with the timeout.
     */
    private static CompletableFuture<OriginLimits.Slot> elsewhere(OriginLimits limits, URI uri, Duration wait) {
        CompletableFuture<OriginLimits.Slot> slot = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                slot.complete(limits.acquire(uri, wait));
            } catch (Exception e) {
                slot.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return slot;
    }

    @Test
    void plainHttpAllowsEightAtOnceAndTheNinthWaitsForARelease() throws Exception {
        OriginLimits limits = new OriginLimits();
        List<OriginLimits.Slot> held = new ArrayList<>();
        for (int i = 0; i < OriginLimits.HTTP1_MAX; i++) {
            held.add(elsewhere(limits, PLAIN, SHORT).get(5, TimeUnit.SECONDS));
        }
        CompletableFuture<OriginLimits.Slot> ninth = elsewhere(limits, PLAIN, Duration.ofSeconds(10));
        Thread.sleep(100);
        assertThat(ninth).isNotDone();
        held.get(0).release();
        held.get(0).release(); // idempotent: frees one slot, not two
        assertThat(ninth.get(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(limits.inFlight(PLAIN)).isEqualTo(OriginLimits.HTTP1_MAX);
        assertThatThrownBy(() -> elsewhere(limits, PLAIN, SHORT).join())
                .hasRootCauseInstanceOf(HttpTimeoutException.class)
                .hasMessageContaining("http://registry.example:5000");
    }

    @Test
    void theFirstHttpsRequestGoesAloneAndHttp2ThenAllowsAHundred() throws Exception {
        OriginLimits limits = new OriginLimits();
        OriginLimits.Slot probe = elsewhere(limits, SECURE, SHORT).get(5, TimeUnit.SECONDS);
        CompletableFuture<OriginLimits.Slot> second = elsewhere(limits, SECURE, Duration.ofSeconds(10));
        Thread.sleep(100);
        assertThat(second).isNotDone();

        probe.learned(HttpClient.Version.HTTP_2);
        second.get(5, TimeUnit.SECONDS);
        for (int i = 2; i < OriginLimits.HTTP2_MAX_STREAMS; i++) {
            elsewhere(limits, SECURE, SHORT).get(5, TimeUnit.SECONDS);
        }
        assertThat(limits.inFlight(SECURE)).isEqualTo(OriginLimits.HTTP2_MAX_STREAMS);
        assertThatThrownBy(() -> elsewhere(limits, SECURE, SHORT).join())
                .hasRootCauseInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void anHttpsRegistryAnsweringHttp1GetsTheHttp1Limit() throws Exception {
        OriginLimits limits = new OriginLimits();
        OriginLimits.Slot probe = limits.acquire(SECURE, SHORT);
        probe.learned(HttpClient.Version.HTTP_1_1);
        for (int i = 1; i < OriginLimits.HTTP1_MAX; i++) {
            elsewhere(limits, SECURE, SHORT).get(5, TimeUnit.SECONDS);
        }
        assertThatThrownBy(() -> elsewhere(limits, SECURE, SHORT).join())
                .hasRootCauseInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void aFailedFirstRequestLetsTheNextOneTry() throws Exception {
        OriginLimits limits = new OriginLimits();
        OriginLimits.Slot probe = limits.acquire(SECURE, SHORT);
        CompletableFuture<OriginLimits.Slot> next = elsewhere(limits, SECURE, Duration.ofSeconds(10));
        Thread.sleep(100);
        assertThat(next).isNotDone();
        probe.release(); // no answer (connection refused, say): nothing learned
        OriginLimits.Slot second = next.get(5, TimeUnit.SECONDS);
        // it is the new first request: a third still waits until it learns the protocol
        CompletableFuture<OriginLimits.Slot> third = elsewhere(limits, SECURE, Duration.ofSeconds(10));
        Thread.sleep(100);
        assertThat(third).isNotDone();
        second.learned(HttpClient.Version.HTTP_2);
        assertThat(third.get(5, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void aThreadHoldingASlotGetsAnotherAtOnceEvenAtTheLimit() throws Exception {
        OriginLimits limits = new OriginLimits();
        OriginLimits.Slot download = limits.acquire(PLAIN, SHORT); // e.g. a blob streamed out of the registry
        for (int i = 1; i < OriginLimits.HTTP1_MAX; i++) {
            elsewhere(limits, PLAIN, SHORT).get(5, TimeUnit.SECONDS);
        }
        assertThatThrownBy(() -> elsewhere(limits, PLAIN, SHORT).join())
                .as("another thread waits: the limit is reached")
                .hasRootCauseInstanceOf(HttpTimeoutException.class);
        // the holder's upload into the same registry must not wait for the download it is reading from
        OriginLimits.Slot upload = limits.acquire(PLAIN, SHORT);
        assertThat(limits.inFlight(PLAIN)).isEqualTo(OriginLimits.HTTP1_MAX + 1);
        upload.release();
        download.release();
        assertThat(limits.inFlight(PLAIN)).isEqualTo(OriginLimits.HTTP1_MAX - 1);
    }

    @Test
    void afterBeingIdleTheNextHttpsRequestGoesAloneAgain() throws Exception {
        OriginLimits limits = new OriginLimits(Duration.ofMillis(100));
        OriginLimits.Slot probe = limits.acquire(SECURE, SHORT);
        probe.learned(HttpClient.Version.HTTP_2);
        OriginLimits.Slot busy = elsewhere(limits, SECURE, SHORT).get(5, TimeUnit.SECONDS);
        probe.release();
        busy.release();
        Thread.sleep(300); // the client or the server may have closed the connection meanwhile

        OriginLimits.Slot again = elsewhere(limits, SECURE, SHORT).get(5, TimeUnit.SECONDS);
        CompletableFuture<OriginLimits.Slot> next = elsewhere(limits, SECURE, Duration.ofSeconds(10));
        Thread.sleep(100);
        assertThat(next).isNotDone();
        again.learned(HttpClient.Version.HTTP_2);
        assertThat(next.get(5, TimeUnit.SECONDS)).isNotNull();
    }
}
