package io.jenkins.plugins.multiarch.provenance;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * What a build needs to write its provenance besides what it knows itself: the mode, and who runs the build (the
 * SLSA builder id and invocation id, the node label the agent was chosen by). One value for every platform of one
 * build: the flow copies it into each platform's request.
 *
 * @param mode {@link ProvenanceMode#OFF}: no statement at all; null means the default ({@link ProvenanceMode#MIN})
 * @param builderId the SLSA {@code runDetails.builder.id}: the Jenkins build's absolute URL, or
 *     {@link BuildFacts#CLI_BUILDER_ID}; required unless the mode is off
 * @param invocationId one id for every platform of the build; required unless the mode is off
 * @param nodeLabel the label expression the agent was chosen by, or null
 */
public record ProvenanceOptions(ProvenanceMode mode, String builderId, String invocationId, String nodeLabel) {

    private static final ProvenanceOptions OFF = new ProvenanceOptions(ProvenanceMode.OFF, null, null, null);

    public ProvenanceOptions {
        mode = mode == null ? ProvenanceMode.DEFAULT : mode;
        builderId = blankToNull(builderId);
        invocationId = blankToNull(invocationId);
        nodeLabel = blankToNull(nodeLabel);
        if (mode.enabled()) {
            if (builderId == null) {
                throw new InvalidInputException("provenance: builderId is required and was not given (the build's"
                        + " URL, or " + BuildFacts.CLI_BUILDER_ID + " from the command line)");
            }
            checkBuilderId(builderId);
            if (invocationId == null) {
                throw new InvalidInputException("provenance: invocationId is required and was not given");
            }
        }
    }

    /** No provenance (what a request without provenance options gets). */
    public static ProvenanceOptions off() {
        return OFF;
    }

    /** The command line's options: builder id {@link BuildFacts#CLI_BUILDER_ID}, a new invocation id per run. */
    public static ProvenanceOptions cli(ProvenanceMode mode) {
        ProvenanceMode m = mode == null ? ProvenanceMode.DEFAULT : mode;
        if (!m.enabled()) {
            return OFF;
        }
        return new ProvenanceOptions(m, BuildFacts.CLI_BUILDER_ID, BuildFacts.newInvocationId(), null);
    }

    /** Whether a statement is written. */
    public boolean enabled() {
        return mode.enabled();
    }

    /** The rule of {@link BuildFacts}: an absolute URI without user info. */
    private static void checkBuilderId(String v) {
        try {
            URI uri = new URI(v);
            if (!uri.isAbsolute()) {
                throw new InvalidInputException("provenance: builderId '" + v
                        + "' is not an absolute URI; give the build's URL (e.g. Jenkins' build URL) or "
                        + BuildFacts.CLI_BUILDER_ID);
            }
            if (uri.getRawUserInfo() != null) {
                throw new InvalidInputException(
                        "provenance: builderId carries user info; give the build's URL without credentials");
            }
        } catch (URISyntaxException e) {
            throw new InvalidInputException("provenance: builderId '" + v + "' is not a URI: " + e.getReason(), e);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
