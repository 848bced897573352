package io.jenkins.plugins.multiarch.flow;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.util.Locale;

/**
 * Whether a platform may be built under emulation when its native agents cannot serve it: the
 * {@code emulation: 'never' | 'fallback' | 'always'} setting, global and per call.
 */
public enum EmulationPolicy {
    /** Native agents only: fail with a clear error when neither an agent nor a cloud can serve the native label. */
    NEVER,
    /** Native agents first, online or from a cloud; the emulation label only when neither serves, after the wait. */
    FALLBACK,
    /** Build on the emulation label directly, without looking for a native agent. */
    ALWAYS;

    /** What an unset setting means: today's behaviour before the setting existed. */
    public static final EmulationPolicy DEFAULT = FALLBACK;

    /** As written in a Jenkinsfile or the configuration: {@code never}, {@code fallback}, {@code always}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Exactly one of the written values (surrounding blanks ignored). */
    public static EmulationPolicy parse(String value) {
        String v = value == null ? "" : value.trim();
        for (EmulationPolicy p : values()) {
            if (p.value().equals(v)) {
                return p;
            }
        }
        throw new InvalidInputException(
                "emulation must be 'never', 'fallback' or 'always', not '" + (value == null ? "" : value) + "'");
    }

    /** The per-call value when given, else the global one, else {@link #DEFAULT}; a blank value counts as not given. */
    public static EmulationPolicy resolve(String perCall, String global) {
        if (perCall != null && !perCall.isBlank()) {
            return parse(perCall);
        }
        if (global != null && !global.isBlank()) {
            return parse(global);
        }
        return DEFAULT;
    }
}
