package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;

/**
 * Builds one platform's image, pushes it, confirms the push against the registry and returns the record
 * of what was pushed. Implementations: {@link DockerEngineBuilder} (a Docker Engine through its API) and
 * {@link BuildahBuilder} (the buildah CLI).
 *
 * <p>Contract: bad input fails with {@code InvalidInputException} before anything is built; a failed
 * build with {@code BuildException} carrying the log's last lines (nothing pushed); a failed push with
 * {@code RegistryException}; a pushed image whose config names another platform than requested with
 * {@code VerificationException}. Secrets never appear in the log, the record or an error.
 */
public interface ImageBuilder {

    ArchImageRecord build(BuildRequest request, LogListener listener);

    /** {@code docker} or {@code buildah}: what records and reports show. */
    String name();

    /** The engine's or tool's version, e.g. {@code 20.10.24}. */
    String version();

    /**
     * The platform this builder really runs on (the engine's for a Docker Engine, which may be remote;
     * this machine's for buildah). Builds for any other platform are emulated.
     */
    io.jenkins.plugins.multiarch.image.Platform hostPlatform();
}
