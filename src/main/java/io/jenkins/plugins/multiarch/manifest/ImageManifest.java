package io.jenkins.plugins.multiarch.manifest;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.MediaType;
import java.util.List;
import java.util.Map;

/**
 * An OCI image manifest or a Docker v2 schema 2 manifest.
 *
 * @param subject      OCI 1.1 referrers subject, or null
 * @param artifactType OCI 1.1 artifact type, or null
 */
public record ImageManifest(
        int schemaVersion,
        MediaType mediaType,
        Descriptor config,
        List<Descriptor> layers,
        Descriptor subject,
        Map<String, String> annotations,
        String artifactType)
        implements Manifest {

    public ImageManifest {
        if (mediaType == null || !mediaType.isImageManifest()) {
            throw new InvalidInputException("an image manifest needs media type " + MediaType.OCI_MANIFEST + " or "
                    + MediaType.DOCKER_MANIFEST + ", not " + mediaType);
        }
        if (config == null) {
            throw new InvalidInputException("an image manifest needs a config descriptor");
        }
        layers = layers == null ? List.of() : List.copyOf(layers);
        annotations = Descriptor.sortedCopy(annotations);
        artifactType = artifactType == null || artifactType.isEmpty() ? null : artifactType;
    }

    /** A schema-2 manifest without subject, annotations or artifact type. */
    public ImageManifest(MediaType mediaType, Descriptor config, List<Descriptor> layers) {
        this(2, mediaType, config, layers, null, Map.of(), null);
    }

    /** The sum of the layer sizes (what a pull downloads, compressed). */
    public long layersSize() {
        return layers.stream().mapToLong(Descriptor::size).sum();
    }
}
