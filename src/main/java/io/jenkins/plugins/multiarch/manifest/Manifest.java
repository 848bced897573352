package io.jenkins.plugins.multiarch.manifest;

import io.jenkins.plugins.multiarch.image.MediaType;
import java.util.Map;

/** A parsed manifest: either an index (OCI index / Docker manifest list) or an image manifest. */
public sealed interface Manifest permits ImageIndex, ImageManifest {

    /** Always 2 for what this project reads and writes. */
    int schemaVersion();

    /** The media type, from the body or, when the body has none, from the Content-Type it was served with. */
    MediaType mediaType();

    /** Possibly empty. */
    Map<String, String> annotations();

    default boolean isIndex() {
        return this instanceof ImageIndex;
    }
}
