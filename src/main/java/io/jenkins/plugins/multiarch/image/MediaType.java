package io.jenkins.plugins.multiarch.image;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.util.Locale;

/**
 * A media type as registries use it, without parameters. {@link #of(String)} strips parameters such as
 * {@code ; charset=utf-8} that some registries append to Content-Type.
 */
public record MediaType(String value) {

    public static final MediaType DOCKER_MANIFEST =
            new MediaType("application/vnd.docker.distribution.manifest.v2+json");
    public static final MediaType DOCKER_MANIFEST_LIST =
            new MediaType("application/vnd.docker.distribution.manifest.list.v2+json");
    /** Docker schema 1 (unsigned); recognised only to refuse it clearly. */
    public static final MediaType DOCKER_MANIFEST_SCHEMA1 =
            new MediaType("application/vnd.docker.distribution.manifest.v1+json");
    /** Docker schema 1 (signed); recognised only to refuse it clearly. */
    public static final MediaType DOCKER_MANIFEST_SCHEMA1_SIGNED =
            new MediaType("application/vnd.docker.distribution.manifest.v1+prettyjws");

    public static final MediaType OCI_MANIFEST = new MediaType("application/vnd.oci.image.manifest.v1+json");
    public static final MediaType OCI_INDEX = new MediaType("application/vnd.oci.image.index.v1+json");
    public static final MediaType DOCKER_CONFIG = new MediaType("application/vnd.docker.container.image.v1+json");
    public static final MediaType OCI_CONFIG = new MediaType("application/vnd.oci.image.config.v1+json");
    public static final MediaType OCI_EMPTY = new MediaType("application/vnd.oci.empty.v1+json");
    public static final MediaType DOCKER_LAYER_GZIP =
            new MediaType("application/vnd.docker.image.rootfs.diff.tar.gzip");
    public static final MediaType DOCKER_FOREIGN_LAYER_GZIP =
            new MediaType("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");
    public static final MediaType OCI_LAYER_GZIP = new MediaType("application/vnd.oci.image.layer.v1.tar+gzip");
    public static final MediaType OCI_LAYER_ZSTD = new MediaType("application/vnd.oci.image.layer.v1.tar+zstd");
    public static final MediaType OCI_LAYER_TAR = new MediaType("application/vnd.oci.image.layer.v1.tar");
    /** The in-toto attestation layers buildx attaches to attestation manifests. */
    public static final MediaType IN_TOTO = new MediaType("application/vnd.in-toto+json");

    public MediaType {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException("invalid media type '" + value + "': it is empty, e.g. "
                    + "application/vnd.oci.image.index.v1+json");
        }
        if (value.indexOf('/') <= 0 || value.indexOf(';') >= 0 || !value.strip().equals(value)) {
            throw new InvalidInputException(
                    "invalid media type '" + value
                            + "': it must be type/subtype without parameters or spaces, e.g. application/vnd.oci.image.index.v1+json");
        }
    }

    /** Parses a media type or a Content-Type header value: parameters are dropped, case is lowered. */
    public static MediaType of(String value) {
        if (value == null) {
            throw new InvalidInputException(
                    "invalid media type 'null': it is empty, e.g. application/vnd.oci.image.index.v1+json");
        }
        int semicolon = value.indexOf(';');
        String bare =
                (semicolon >= 0 ? value.substring(0, semicolon) : value).strip().toLowerCase(Locale.ROOT);
        return new MediaType(bare);
    }

    /** An OCI index or a Docker manifest list. */
    public boolean isIndex() {
        return equals(OCI_INDEX) || equals(DOCKER_MANIFEST_LIST);
    }

    /** An OCI image manifest or a Docker v2 schema 2 manifest. */
    public boolean isImageManifest() {
        return equals(OCI_MANIFEST) || equals(DOCKER_MANIFEST);
    }

    /** Either kind of manifest this project reads: {@link #isIndex()} or {@link #isImageManifest()}. */
    public boolean isManifest() {
        return isIndex() || isImageManifest();
    }

    /** Docker schema 1, which registries may still serve and which this project refuses. */
    public boolean isSchema1() {
        return equals(DOCKER_MANIFEST_SCHEMA1) || equals(DOCKER_MANIFEST_SCHEMA1_SIGNED);
    }

    /** A Docker (not OCI) media type. */
    public boolean isDocker() {
        return value.startsWith("application/vnd.docker.");
    }

    /** An OCI media type. */
    public boolean isOci() {
        return value.startsWith("application/vnd.oci.");
    }

    @Override
    public String toString() {
        return value;
    }
}
