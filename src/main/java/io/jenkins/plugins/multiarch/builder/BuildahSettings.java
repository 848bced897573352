package io.jenkins.plugins.multiarch.builder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a {@link BuildahSession} (and its {@link BuildahPlatformCheck}) needs of its builder: the buildah command
 * with its global options, its version, storage root and driver, the isolation,
 * whether layers are cached, where temporary folders go, the registries named insecure, and the process
 * supervisor. A value the builder makes, so that the session never calls back into the builder.
 */
record BuildahSettings(
        List<String> command,
        String version,
        Path root,
        String storageDriver,
        String isolation,
        boolean layers,
        Path workDir,
        Set<String> insecureRegistries,
        Subprocess subprocess) {

    BuildahSettings {
        command = List.copyOf(command);
        insecureRegistries = Set.copyOf(insecureRegistries);
    }

    /** A fresh, modifiable copy: each buildah call appends its own arguments. */
    @Override
    public List<String> command() {
        return new ArrayList<>(command);
    }
}
