package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.util.Locale;

/**
 * The image builders there are, by the name users write ({@code --builder}, {@code builder:}, the global
 * default): the one rule that refuses an unknown name, so that {@code kaniko} never silently builds with
 * Docker.
 */
public enum BuilderKind {
    DOCKER(DockerEngineBuilder.NAME),
    BUILDAH(BuildahBuilder.NAME);

    private final String id;

    BuilderKind(String id) {
        this.id = id;
    }

    /** The name as written: {@code docker}, {@code buildah}. */
    public String id() {
        return id;
    }

    /** {@code docker} or {@code buildah}, any case, surrounding blanks ignored. */
    public static BuilderKind parse(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        for (BuilderKind k : values()) {
            if (k.id.equals(v)) {
                return k;
            }
        }
        throw new InvalidInputException("builder '" + (value == null ? "" : value.strip())
                + "' is unknown: use docker (Docker Engine) or buildah");
    }
}
