package io.jenkins.plugins.multiarch.manifest;

import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Platform;
import java.util.List;

/**
 * The part of an image config blob this project needs: the platform the image was built for.
 * Everything else in the config (history, rootfs, env, ...) is ignored. Parsed by
 * {@code ManifestCodec.parseConfig}.
 */
public record ImageConfig(String os, String architecture, String variant, String osVersion, List<String> osFeatures) {

    public ImageConfig {
        osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
    }

    /** The platform this config declares; fails when os or architecture is missing. */
    public Platform platform() {
        if (os == null || os.isEmpty() || architecture == null || architecture.isEmpty()) {
            throw new VerificationException(
                    "the image config declares no platform (os='" + os + "', architecture='" + architecture
                            + "'); rebuild the image with a builder that records it, e.g. docker buildx or buildah");
        }
        return new Platform(os, architecture, variant, osVersion, osFeatures);
    }
}
