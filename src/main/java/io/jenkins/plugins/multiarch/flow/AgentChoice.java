package io.jenkins.plugins.multiarch.flow;

import static io.jenkins.plugins.multiarch.flow.DispatchDecision.Reason.ALWAYS_WITHOUT_EMULATION_LABEL;
import static io.jenkins.plugins.multiarch.flow.DispatchDecision.Reason.EMULATION_AFTER_WAIT;
import static io.jenkins.plugins.multiarch.flow.DispatchDecision.Reason.EMULATION_ALWAYS;
import static io.jenkins.plugins.multiarch.flow.DispatchDecision.Reason.EMULATION_LABEL_UNSERVED;
import static io.jenkins.plugins.multiarch.flow.DispatchDecision.Reason.EMULATION_WITHOUT_WAIT;
import static io.jenkins.plugins.multiarch.flow.DispatchDecision.Reason.NATIVE_FROM_CLOUD;
import static io.jenkins.plugins.multiarch.flow.DispatchDecision.Reason.NATIVE_ONLINE;
import static io.jenkins.plugins.multiarch.flow.DispatchDecision.Reason.NATIVE_QUEUED_EMULATION_NEVER;
import static io.jenkins.plugins.multiarch.flow.DispatchDecision.Reason.NATIVE_QUEUED_NO_EMULATION_LABEL;
import static io.jenkins.plugins.multiarch.flow.DispatchDecision.Reason.NATIVE_UNSERVED_EMULATION_NEVER;
import static io.jenkins.plugins.multiarch.flow.DispatchDecision.Reason.NATIVE_UNSERVED_NO_EMULATION_LABEL;
import static io.jenkins.plugins.multiarch.flow.DispatchDecision.Reason.NO_PLATFORM_ENTRY;

import io.jenkins.plugins.multiarch.flow.DispatchDecision.Reason;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Where one platform of {@code multiArchBuild} is built: on its native label, on its emulation label, not yet
 * (wait and ask again), or nowhere (refuse). Pure: the CI side gathers the {@link DispatchFacts}, applies the
 * {@link DispatchDecision}, and while the decision is to wait, gathers the facts again and asks again.
 *
 * <p>The rules, in order:
 * <ol>
 *   <li>no native label configured: refuse;
 *   <li>{@code always}: the emulation label (refuse if there is none, or nothing serves it);
 *   <li>an online native agent, or a cloud that can provision one: the native label. A cloud's node is
 *       provisioned when the task waits in the queue for that label, as for any Jenkins task, so this is
 *       not a reason to emulate;
 *   <li>{@code never}: the native label if offline agents carry it (the queue waits for them), else refuse;
 *   <li>{@code fallback} without an emulation label: the same as {@code never};
 *   <li>{@code fallback} with one: wait for the native label until the wait is over, then the emulation
 *       label (refuse if nothing serves it). A wait of 0 does not wait.
 * </ol>
 */
public final class AgentChoice {

    private AgentChoice() {}

    /** The passing of time while a platform waits: the real clock in Jenkins, a virtual one in tests. */
    public interface Waiting {
        long nanoTime();

        void sleep(Duration duration) throws InterruptedException;

        Waiting REAL = new Waiting() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                Thread.sleep(Math.max(1, duration.toMillis()));
            }
        };
    }

    /**
     * Decides, and while the decision is to wait, sleeps (at most {@code poll} at a time), gathers the facts
     * again and decides again, until the decision is to use a label or to refuse.
     *
     * @param facts gathers what serves each label now; called once per decision
     * @param poll the longest sleep between two looks
     * @param onFirstWait told once, with the first decision to wait (to say how long it may wait)
     */
    public static DispatchDecision decideWaiting(
            Supplier<DispatchFacts> facts, Duration poll, Waiting waiting, Consumer<DispatchDecision> onFirstWait)
            throws InterruptedException {
        if (poll.isZero() || poll.isNegative()) {
            throw new IllegalArgumentException("poll must be positive: " + poll);
        }
        long start = waiting.nanoTime();
        DispatchDecision decision = decide(facts.get(), Duration.ZERO);
        if (decision.waits()) {
            onFirstWait.accept(decision);
        }
        while (decision.waits()) {
            Duration left = decision.remainingWait();
            waiting.sleep(poll.compareTo(left) < 0 ? poll : left);
            Duration waited = Duration.ofNanos(Math.max(0, waiting.nanoTime() - start));
            decision = decide(facts.get(), waited);
        }
        return decision;
    }

    /**
     * @param facts what is configured and what serves each label now
     * @param waited how long this platform has already waited for a native agent (zero on the first call)
     */
    public static DispatchDecision decide(DispatchFacts facts, Duration waited) {
        Objects.requireNonNull(facts, "facts");
        Objects.requireNonNull(waited, "waited");
        if (waited.isNegative()) {
            throw new IllegalArgumentException("waited is negative: " + waited);
        }
        if (facts.nativeLabel() == null) {
            return DispatchDecision.refuse(NO_PLATFORM_ENTRY);
        }
        if (facts.policy() == EmulationPolicy.ALWAYS) {
            return emulate(facts, EMULATION_ALWAYS);
        }
        if (facts.nativeAvailability() == LabelAvailability.ONLINE) {
            return DispatchDecision.use(facts.nativeLabel(), NATIVE_ONLINE);
        }
        if (facts.nativeAvailability() == LabelAvailability.CLOUD) {
            return DispatchDecision.use(facts.nativeLabel(), NATIVE_FROM_CLOUD);
        }
        boolean offlineAgents = facts.nativeAvailability() == LabelAvailability.OFFLINE;
        if (facts.policy() == EmulationPolicy.NEVER) {
            return offlineAgents
                    ? DispatchDecision.use(facts.nativeLabel(), NATIVE_QUEUED_EMULATION_NEVER)
                    : DispatchDecision.refuse(NATIVE_UNSERVED_EMULATION_NEVER);
        }
        if (facts.emulationLabel() == null) {
            return offlineAgents
                    ? DispatchDecision.use(facts.nativeLabel(), NATIVE_QUEUED_NO_EMULATION_LABEL)
                    : DispatchDecision.refuse(NATIVE_UNSERVED_NO_EMULATION_LABEL);
        }
        Duration remaining = facts.nativeWait().minus(waited);
        if (!remaining.isZero() && !remaining.isNegative()) {
            // An offline agent may reconnect, an inbound agent may join, an admin may add a cloud: ask again soon.
            return DispatchDecision.waitFor(facts.nativeLabel(), remaining);
        }
        return emulate(facts, facts.nativeWait().isZero() ? EMULATION_WITHOUT_WAIT : EMULATION_AFTER_WAIT);
    }

    private static DispatchDecision emulate(DispatchFacts facts, Reason reason) {
        if (facts.emulationLabel() == null) {
            return DispatchDecision.refuse(ALWAYS_WITHOUT_EMULATION_LABEL);
        }
        if (facts.emulationAvailability() == LabelAvailability.NONE) {
            return DispatchDecision.refuse(EMULATION_LABEL_UNSERVED);
        }
        return DispatchDecision.use(facts.emulationLabel(), reason);
    }
}
