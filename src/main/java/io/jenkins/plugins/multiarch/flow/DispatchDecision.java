package io.jenkins.plugins.multiarch.flow;

import java.time.Duration;
import java.util.Objects;

/**
 * What to do with one platform: build on a label (natively or under emulation), wait and ask again, or refuse.
 *
 * @param reason why; it fixes the {@link Kind}, whether the build is emulated and whether the queue waits
 * @param label the label to hand to {@code node(label)} ({@link Kind#USE}), the native label waited for
 *     ({@link Kind#WAIT}), or null ({@link Kind#REFUSE})
 * @param remainingWait for {@link Kind#WAIT}, how much longer to wait at most before emulating; otherwise zero
 */
public record DispatchDecision(Reason reason, String label, Duration remainingWait) {

    public enum Kind {
        /** Allocate {@code node(label)} now (Jenkins may still queue the task, see {@link Reason#waitsInQueue()}). */
        USE,
        /** Nothing serves the native label yet: wait a little, gather the facts again and decide again. */
        WAIT,
        /** Cannot be built under this policy and configuration: fail with the reason's message. */
        REFUSE
    }

    public enum Reason {
        /** An online native agent carries the label. */
        NATIVE_ONLINE(Kind.USE, false, false),
        /** No native agent is online, but a cloud can provision one: the queue asks it, as for any task. */
        NATIVE_FROM_CLOUD(Kind.USE, false, true),
        /** Native agents exist but are offline, no cloud provides one, and the policy is never: the queue waits. */
        NATIVE_QUEUED_EMULATION_NEVER(Kind.USE, false, true),
        /** Native agents exist but are offline, no cloud provides one, and there is no emulation label: the queue waits. */
        NATIVE_QUEUED_NO_EMULATION_LABEL(Kind.USE, false, true),
        /** The policy is always: the emulation label, without looking for a native agent. */
        EMULATION_ALWAYS(Kind.USE, true, false),
        /** Fallback: no native agent came online and no cloud appeared within the wait. */
        EMULATION_AFTER_WAIT(Kind.USE, true, false),
        /** Fallback with a wait of 0: nothing serves the native label now, and it does not wait. */
        EMULATION_WITHOUT_WAIT(Kind.USE, true, false),
        /** Fallback: nothing serves the native label yet; wait for an agent to come online or a cloud to appear. */
        WAITING_FOR_NATIVE(Kind.WAIT, false, false),
        /** No label is configured for the platform. */
        NO_PLATFORM_ENTRY(Kind.REFUSE, false, false),
        /** Never: no agent or cloud can serve the native label, and emulation is refused. */
        NATIVE_UNSERVED_EMULATION_NEVER(Kind.REFUSE, false, false),
        /** Fallback: no agent or cloud can serve the native label, and no emulation label is configured. */
        NATIVE_UNSERVED_NO_EMULATION_LABEL(Kind.REFUSE, false, false),
        /** Always, but no emulation label is configured for the platform. */
        ALWAYS_WITHOUT_EMULATION_LABEL(Kind.REFUSE, false, false),
        /** Emulation is due, but no agent or cloud can serve the emulation label. */
        EMULATION_LABEL_UNSERVED(Kind.REFUSE, false, false);

        private final Kind kind;
        private final boolean emulated;
        private final boolean waitsInQueue;

        Reason(Kind kind, boolean emulated, boolean waitsInQueue) {
            this.kind = kind;
            this.emulated = emulated;
            this.waitsInQueue = waitsInQueue;
        }

        public Kind kind() {
            return kind;
        }

        /** Whether the build runs on the emulation label. */
        public boolean emulated() {
            return emulated;
        }

        /** Whether {@code node(label)} will wait in the Jenkins queue (for a cloud, or an offline agent), as any task does. */
        public boolean waitsInQueue() {
            return waitsInQueue;
        }
    }

    public DispatchDecision {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(remainingWait, "remainingWait");
        switch (reason.kind()) {
            case USE -> {
                Objects.requireNonNull(label, "label");
                if (!remainingWait.isZero()) {
                    throw new IllegalArgumentException("a decision to use a label does not wait: " + remainingWait);
                }
            }
            case WAIT -> {
                Objects.requireNonNull(label, "label");
                if (remainingWait.isZero() || remainingWait.isNegative()) {
                    throw new IllegalArgumentException("a decision to wait needs a positive wait: " + remainingWait);
                }
            }
            case REFUSE -> {
                if (label != null || !remainingWait.isZero()) {
                    throw new IllegalArgumentException("a refusal has no label and no wait");
                }
            }
        }
    }

    static DispatchDecision use(String label, Reason reason) {
        return new DispatchDecision(reason, label, Duration.ZERO);
    }

    static DispatchDecision waitFor(String label, Duration remaining) {
        return new DispatchDecision(Reason.WAITING_FOR_NATIVE, label, remaining);
    }

    static DispatchDecision refuse(Reason reason) {
        return new DispatchDecision(reason, null, Duration.ZERO);
    }

    public Kind kind() {
        return reason.kind();
    }

    public boolean waits() {
        return reason.kind() == Kind.WAIT;
    }

    public boolean refused() {
        return reason.kind() == Kind.REFUSE;
    }

    /** Whether the platform is built on the emulation label. */
    public boolean emulated() {
        return reason.emulated();
    }
}
