package io.jenkins.plugins.multiarch.manifest;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.MediaType;
import java.util.List;
import java.util.Map;

/**
 * An OCI image index or a Docker manifest list.
 *
 * @param subject OCI 1.1 referrers subject, or null
 */
public record ImageIndex(
        int schemaVersion,
        MediaType mediaType,
        List<Descriptor> manifests,
        Map<String, String> annotations,
        Descriptor subject)
        implements Manifest {

    public ImageIndex {
        if (mediaType == null || !mediaType.isIndex()) {
            throw new InvalidInputException("an image index needs media type " + MediaType.OCI_INDEX + " or "
                    + MediaType.DOCKER_MANIFEST_LIST + ", not " + mediaType);
        }
        manifests = manifests == null ? List.of() : List.copyOf(manifests);
        annotations = Descriptor.sortedCopy(annotations);
    }

    /** A schema-2 index without subject. */
    public ImageIndex(MediaType mediaType, List<Descriptor> manifests, Map<String, String> annotations) {
        this(2, mediaType, manifests, annotations, null);
    }
}
