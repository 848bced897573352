package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@link BuildAndPush} needs from an engine (the Docker Engine, buildah): its facts, and a session that
 * builds one image, checks the platform it built and pushes it under one name. Everything else (file checks,
 * the architecture guard, names, credentials, verification, the record) is BuildAndPush's.
 */
interface BuildEngine {

    /** {@code docker} or {@code buildah}. */
    String name();

    String version();

    /** The platform the engine really runs on. */
    Platform hostPlatform();

    /** For the guard's message: {@code the buildah builder on this machine}. */
    String description();

    /** For the "building" line: {@code buildah 1.28.2}, {@code the Docker Engine 24.0.7}. */
    String displayName();

    /** The machine that built, for the record. */
    String machineName();

    /**
     * Opens a session for one build. The engine may refuse here (no credentials to a plain-HTTP registry) and
     * may prepare what the build needs (buildah: a folder with the auth file and registries.conf).
     *
     * @param credentials for the image's registry
     * @param cacheCredentials for the registry of the request's {@link BuildCache} (looked up for that registry,
     *     never the image's given to another host); empty without a cache
     */
    Session open(
            BuildRequest request,
            Optional<RegistryCredentials> credentials,
            Optional<RegistryCredentials> cacheCredentials,
            LogLines lines)
            throws IOException;

    /** One build; {@link #close()} releases whatever {@link #open} prepared, whatever happened. */
    interface Session extends AutoCloseable {

        /**
         * Builds the request's image, gives it {@code names} locally (the first is the one {@link #push} pushes;
         * the local names never reach a registry by themselves), and returns its image ID.
         *
         * @param created the image's creation time (the {@code org.opencontainers.image.created} label, and with
         *     buildah the timestamps of the config, history and layers)
         */
        String build(BuildRequest request, List<ImageReference> names, Instant created) throws IOException;

        /** Refuses, before any push, an image whose config names another platform than {@code requested}. */
        void checkBuiltPlatform(String imageId, Platform requested);

        /** Pushes the image named {@code name} (as {@link #build} named it); returns the digest the engine reports. */
        Digest push(ImageReference name) throws IOException;

        /**
         * After the image is confirmed: writes this platform's build cache where the engine does it afterwards
         * (the Docker Engine pushes the built image as {@code REPO:buildcache-<arch>}; buildah wrote its cache during
         * the build). A failure here is a log line, never the build's failure.
         */
        default void exportCache(String imageId) {}

        @Override
        void close();
    }
}
