package io.jenkins.plugins.multiarch.copy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What to copy where: a list (or a single image) by tag or digest, and one or more destinations.
 *
 * @param source       the list or image to copy, by tag or digest
 * @param targets      at least one; no repository twice, and never the source's own repository
 * @param parallelBlobs how many blobs (and manifests) travel at once per destination
 */
public record CopyRequest(ImageReference source, List<CopyTarget> targets, int parallelBlobs) {

    /** Blobs at once per destination: well under the client's 8 requests per HTTP/1.1 origin. */
    public static final int DEFAULT_PARALLEL_BLOBS = 4;

    public static final int MAX_PARALLEL_BLOBS = 16;

    public CopyRequest {
        Objects.requireNonNull(source, "source");
        targets = List.copyOf(targets == null ? List.of() : targets);
        if (targets.isEmpty()) {
            throw new InvalidInputException("copy " + source + ": give at least one destination REGISTRY/REPO[:TAG]");
        }
        Set<ImageReference> seen = new HashSet<>();
        for (CopyTarget target : targets) {
            if (!seen.add(target.repository())) {
                throw new InvalidInputException("copy " + source + ": the destination " + target.repository()
                        + " is given twice; give each repository once, with all its tags (--tag)");
            }
            if (target.repository().equals(source.withoutTagOrDigest())) {
                throw new InvalidInputException("copy " + source + ": the destination " + target.repository()
                        + " is the source's own repository; to add a tag there use"
                        + " push-manifest-list, or give another repository");
            }
        }
        if (parallelBlobs < 1 || parallelBlobs > MAX_PARALLEL_BLOBS) {
            throw new InvalidInputException("copy: " + parallelBlobs + " blobs at once is not between 1 and "
                    + MAX_PARALLEL_BLOBS + "; the default is " + DEFAULT_PARALLEL_BLOBS);
        }
    }

    public static CopyRequest of(ImageReference source, List<CopyTarget> targets) {
        return new CopyRequest(source, targets, DEFAULT_PARALLEL_BLOBS);
    }

    /**
     * After a publish: the list just published ({@code repository} at {@code digest}) to more places. The
     * source is pinned by digest, so a tag moved meanwhile cannot change what is copied; each destination gets
     * {@code tags} unless it names its own.
     */
    public static CopyRequest afterPublish(
            ImageReference repository, Digest digest, List<String> tags, List<ImageReference> destinations) {
        List<CopyTarget> targets = new ArrayList<>();
        for (ImageReference destination : destinations) {
            List<String> own = destination.tag().map(List::of).orElse(tags);
            targets.add(new CopyTarget(destination, own));
        }
        return of(repository.withoutTagOrDigest().withDigest(digest), targets);
    }

    public CopyRequest withParallelBlobs(int n) {
        return new CopyRequest(source, targets, n);
    }
}
