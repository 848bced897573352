package io.jenkins.plugins.multiarch.provenance;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.util.Locale;

/**
 * How much provenance a build attaches, with buildx's names and default ({@code --provenance mode=min|max}).
 * {@link #MIN} and {@link #MAX} differ as buildx's modes do (see docs/provenance.md): {@code max} adds the build-arg
 * names (buildx adds their values too; multiarch never writes a value) and the Dockerfile's digest as a material.
 */
public enum ProvenanceMode {
    /** The default, as buildx's: no build-arg names, nothing a build argument or the build file would reveal. */
    MIN,
    /** {@link #MIN} plus the build-arg names (never values) and the Dockerfile as a resolved dependency. */
    MAX,
    /** No provenance at all: no attestation manifest, no index entry. */
    OFF;

    /** buildx's default. */
    public static final ProvenanceMode DEFAULT = MIN;

    /**
     * Parses {@code min}, {@code max} or {@code off} (any case, surrounding blanks ignored); null or blank gives
     * {@link #DEFAULT}.
     *
     * @param field the option or parameter the value came from ({@code --provenance}, {@code provenance}), for
     *     the message
     * @throws InvalidInputException for any other value, naming the field and the choices
     */
    public static ProvenanceMode parse(String field, String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT;
        }
        switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "min":
                return MIN;
            case "max":
                return MAX;
            case "off":
                return OFF;
            default:
                throw new InvalidInputException(field + " '" + value.strip()
                        + "' is not a provenance mode: use min (the default, as buildx's), max (adds the build-arg"
                        + " names, never their values, and the Dockerfile's digest) or off (no provenance)");
        }
    }

    /** Whether a statement is written at all. */
    public boolean enabled() {
        return this != OFF;
    }

    /** The value as users write it: {@code min}, {@code max}, {@code off}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return value();
    }
}
