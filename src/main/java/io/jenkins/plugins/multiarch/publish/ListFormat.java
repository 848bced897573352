package io.jenkins.plugins.multiarch.publish;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.util.Locale;

/** Which kind of list to publish. */
public enum ListFormat {
    /** OCI image index (annotations allowed). */
    OCI,
    /** Docker manifest list (every child must be a Docker v2 manifest; no annotations). */
    DOCKER,
    /** A Docker list when every child is a Docker v2 manifest and nothing needs OCI, else an OCI index. */
    AUTO;

    public static ListFormat parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("format '" + value + "' is not known: use oci, docker or auto");
        }
    }
}
