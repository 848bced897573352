package io.jenkins.plugins.multiarch.manifest;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An OCI content descriptor: what a manifest or index says about a blob or child manifest.
 * Annotations are kept sorted by key so that serialisation is deterministic.
 *
 * @param mediaType    of the referenced content
 * @param digest       of the referenced content's exact bytes
 * @param size         in bytes
 * @param platform     only on index entries; null elsewhere
 * @param annotations  possibly empty
 * @param urls         foreign-layer URLs; listed, never fetched
 * @param artifactType null unless the content is an artifact
 */
public record Descriptor(
        MediaType mediaType,
        Digest digest,
        long size,
        Platform platform,
        Map<String, String> annotations,
        List<String> urls,
        String artifactType) {

    /** buildx: the digest of the image manifest an attestation manifest describes. */
    public static final String ANNOTATION_REFERENCE_DIGEST = "vnd.docker.reference.digest";
    /** buildx: {@code attestation-manifest} on attestation entries. */
    public static final String ANNOTATION_REFERENCE_TYPE = "vnd.docker.reference.type";

    public static final String REFERENCE_TYPE_ATTESTATION = "attestation-manifest";

    public Descriptor {
        if (mediaType == null || digest == null) {
            throw new InvalidInputException(
                    "invalid descriptor: mediaType and digest are required (got " + mediaType + ", " + digest + ")");
        }
        if (size < 0) {
            throw new InvalidInputException("invalid descriptor " + digest + ": size " + size + " is negative");
        }
        annotations = sortedCopy(annotations);
        urls = urls == null ? List.of() : List.copyOf(urls);
        artifactType = artifactType == null || artifactType.isEmpty() ? null : artifactType;
    }

    public Descriptor(MediaType mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null, Map.of(), List.of(), null);
    }

    public Descriptor(MediaType mediaType, Digest digest, long size, Platform platform) {
        this(mediaType, digest, size, platform, Map.of(), List.of(), null);
    }

    public Descriptor withPlatform(Platform newPlatform) {
        return new Descriptor(mediaType, digest, size, newPlatform, annotations, urls, artifactType);
    }

    public Descriptor withAnnotations(Map<String, String> newAnnotations) {
        return new Descriptor(mediaType, digest, size, platform, newAnnotations, urls, artifactType);
    }

    public Descriptor withMediaType(MediaType newMediaType) {
        return new Descriptor(newMediaType, digest, size, platform, annotations, urls, artifactType);
    }

    /** The platform as an Optional (absent on config/layer descriptors). */
    public Optional<Platform> platformOptional() {
        return Optional.ofNullable(platform);
    }

    /** A buildx attestation entry: {@code vnd.docker.reference.type=attestation-manifest}. */
    public boolean isAttestation() {
        return REFERENCE_TYPE_ATTESTATION.equals(annotations.get(ANNOTATION_REFERENCE_TYPE));
    }

    /** For an attestation entry: the digest of the image manifest it describes. */
    public Optional<Digest> attestedDigest() {
        String value = annotations.get(ANNOTATION_REFERENCE_DIGEST);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Digest.parse(value));
        } catch (InvalidInputException e) {
            return Optional.empty();
        }
    }

    static Map<String, String> sortedCopy(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        TreeMap<String, String> copy = new TreeMap<>();
        map.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new InvalidInputException(
                        "invalid annotation " + k + "=" + v + ": keys and values must not be null");
            }
            copy.put(k, v);
        });
        return Collections.unmodifiableMap(copy);
    }
}
