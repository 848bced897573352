package io.jenkins.plugins.multiarch.copy;

import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import java.util.List;

/**
 * The result of a copy: what was copied (the digest is the same at every destination) and one result per
 * destination, in the order they were given.
 *
 * @param manifests the manifests copied per destination: the list, its children and attestations
 * @param blobs     the distinct blobs (configs and layers) they need
 * @param blobBytes the size of those blobs
 * @param requests  HTTP requests the copy sent (token requests included)
 */
public record CopyResult(
        ImageReference source,
        Digest digest,
        MediaType mediaType,
        int manifests,
        int blobs,
        long blobBytes,
        List<DestinationResult> destinations,
        int requests) {

    public CopyResult {
        destinations = List.copyOf(destinations);
    }

    /** Whether every destination holds the list under all its tags. */
    public boolean success() {
        return destinations.stream().noneMatch(DestinationResult::failed);
    }

    /**
     * 0 when every destination succeeded; otherwise the most telling failure: 3 (verification: content not what
     * it claims) over 2 (bad input) over 4 (registry, authentication, network).
     */
    public int exitCode() {
        if (success()) {
            return 0;
        }
        List<Integer> codes = destinations.stream()
                .filter(DestinationResult::failed)
                .map(DestinationResult::exitCode)
                .toList();
        for (int code : new int[] {3, 2, 4}) {
            if (codes.contains(code)) {
                return code;
            }
        }
        return codes.get(0);
    }

    /** The list by digest at a destination (what to pull, sign or deploy). */
    public ImageReference at(DestinationResult destination) {
        return destination.repository().withDigest(digest);
    }
}
