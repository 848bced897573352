package io.jenkins.plugins.multiarch.publish;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.KnownPlatforms;
import io.jenkins.plugins.multiarch.image.Platform;
import java.util.Objects;
import java.util.Optional;

/**
 * One image that goes into the list: a reference by tag or digest, optionally the platform it claims to
 * be (checked against its config, never trusted), and where the claim came from (a CLI argument, a record
 * file) so that errors can point at it.
 *
 * <p>When the reference is itself an index, a claimed platform selects that platform's entry from it. An image
 * source may name its attestation manifest ({@link #withAttestation}).
 */
public record SourceSpec(ImageReference reference, Platform claimedPlatform, String origin, Digest attestation) {

    public SourceSpec {
        Objects.requireNonNull(reference, "reference");
        origin = origin == null || origin.isBlank() ? reference.toString() : origin;
    }

    public SourceSpec(ImageReference reference, Platform claimedPlatform, String origin) {
        this(reference, claimedPlatform, origin, null);
    }

    /**
     * The same image with the attestation manifest (in its repository) that describes it, e.g. the provenance a
     * build pushed beside it: the list then carries it as an attestation entry after the images, as BuildKit does.
     */
    public SourceSpec withAttestation(Digest attestationManifest) {
        return new SourceSpec(reference, claimedPlatform, origin, attestationManifest);
    }

    public Optional<Digest> attested() {
        return Optional.ofNullable(attestation);
    }

    public static SourceSpec of(ImageReference reference) {
        return new SourceSpec(reference, null, null);
    }

    /** Parses the CLI form {@code REF[=PLATFORM]}, e.g. {@code 127.0.0.1:5000/app-arm64v8:1.0=linux/arm64/v8}. */
    public static SourceSpec parse(String argument) {
        if (argument == null || argument.isBlank()) {
            throw new InvalidInputException("--source must not be empty: give REF or REF=os/arch[/variant]");
        }
        int eq = argument.lastIndexOf('=');
        if (eq < 0) {
            return new SourceSpec(ImageReference.parse(argument.trim()), null, "--source " + argument);
        }
        String ref = argument.substring(0, eq).trim();
        String platform = argument.substring(eq + 1).trim();
        if (ref.isEmpty() || platform.isEmpty()) {
            throw new InvalidInputException("--source '" + argument + "' must be REF or REF=os/arch[/variant], e.g. "
                    + "registry.example/app-arm64v8:1.0=linux/arm64");
        }
        // a typo in the platform is bad input, not a mismatch found in the registry
        Platform claimed = KnownPlatforms.parse("--source '" + argument + "'", platform);
        return new SourceSpec(ImageReference.parse(ref), claimed, "--source " + argument);
    }

    public Optional<Platform> claimed() {
        return Optional.ofNullable(claimedPlatform);
    }

    @Override
    public String toString() {
        return claimedPlatform == null ? reference.toString() : reference + "=" + claimedPlatform;
    }
}
