package io.jenkins.plugins.multiarch.jenkins;

import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.Components.Component;

/**
 * What the pipeline tests build with, from the shared fixtures: buildah where it is installed (our machines),
 * else the docker builder where a Docker daemon answers (ci.jenkins.io's Linux VM agents, which have no buildah);
 * the registry comes from {@link io.jenkins.plugins.multiarch.testing.TestRegistry#basicAuth}.
 */
final class PipelineComponents {

    private PipelineComponents() {}

    /** The builder name for {@code MultiarchConfiguration.setDefaultBuilder}, or the test is skipped with why. */
    static String builder() {
        if (Components.isAvailable(Component.BUILDAH)) {
            return "buildah";
        }
        if (Components.isAvailable(Component.DOCKERD)) {
            return "docker";
        }
        Components.unavailable("no image builder: buildah is not usable ("
                + Components.problem(Component.BUILDAH).orElse("?") + ") and no Docker daemon answers at "
                + Components.dockerHost());
        throw new IllegalStateException("unreachable: Components.unavailable stops the test");
    }
}
