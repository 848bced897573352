package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.BuildException;
import io.jenkins.plugins.multiarch.image.Platform;
import java.util.concurrent.locks.Lock;

/**
 * The Docker Engine a {@link DockerSession} works with, as the session needs it: one build at a time, whether it
 * answered yet, and its local images' platforms. The builder implements it, so that a session never depends on the
 * builder that opened it.
 */
interface ConnectedEngine {

    /** Held while the engine builds: its store keeps one image per tag. */
    Lock buildLock();

    /** Whether the engine answered once (an error before that means it is unreachable). */
    boolean reached();

    /** The error for an engine that cannot be reached, naming where it was looked for and the fix. */
    BuildException unreachable(RuntimeException e);

    /** The platform of a local image by name or ID, from its config; null when the engine does not say. */
    Platform localPlatform(String image);

    /** Refuses, before pushing, an image whose config names another platform than {@code requested}. */
    void checkLocalImage(String imageId, Platform requested);
}
