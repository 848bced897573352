package io.jenkins.plugins.multiarch.flow;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link AgentChoice} decides on for one platform: the admin's labels for it, what the CI system can
 * offer each of them now, the policy in force and how long to wait for a native agent before emulating.
 *
 * @param platform the platform, as written in messages (e.g. {@code linux/arm64})
 * @param nativeLabel the label expression of the platform's native agents, or null when none is configured
 * @param nativeAvailability what serves {@code nativeLabel} now ({@link LabelAvailability#NONE} when it is null)
 * @param emulationLabel the label expression of agents that may emulate the platform, or null when none
 * @param emulationAvailability what serves {@code emulationLabel} now ({@link LabelAvailability#NONE} when null)
 * @param policy the emulation policy in force for this call
 * @param nativeWait how long {@link EmulationPolicy#FALLBACK} waits for a native agent before emulating (0 = not at all)
 */
public record DispatchFacts(
        String platform,
        String nativeLabel,
        LabelAvailability nativeAvailability,
        String emulationLabel,
        LabelAvailability emulationAvailability,
        EmulationPolicy policy,
        Duration nativeWait) {

    public DispatchFacts {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(nativeWait, "nativeWait");
        if (nativeWait.isNegative()) {
            throw new IllegalArgumentException("nativeWait is negative: " + nativeWait);
        }
        nativeLabel = blankToNull(nativeLabel);
        emulationLabel = blankToNull(emulationLabel);
        // A label that is not configured is served by nothing, whatever the caller passed.
        nativeAvailability = nativeLabel == null ? LabelAvailability.NONE : Objects.requireNonNull(nativeAvailability);
        emulationAvailability =
                emulationLabel == null ? LabelAvailability.NONE : Objects.requireNonNull(emulationAvailability);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
