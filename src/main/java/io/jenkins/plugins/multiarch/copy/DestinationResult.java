package io.jenkins.plugins.multiarch.copy;

import io.jenkins.plugins.multiarch.image.ImageReference;
import java.util.List;

/**
 * What a copy did at one destination.
 *
 * @param repository    the destination repository
 * @param outcome       copied, unchanged (every tag already held the digest), or failed
 * @param tagsWritten   the tags now pointing at the list that did not before
 * @param tagsUnchanged the tags that already did
 * @param blobsCopied   blobs whose content was streamed there
 * @param blobsMounted  blobs mounted from another repository of the same registry
 * @param blobsSkipped  blobs the destination already had
 * @param bytesCopied   bytes of the copied blobs
 * @param manifestsPut  manifests written (children by digest, then the list per tag)
 * @param error         why it failed (names the registry and a fix), or null
 * @param exitCode      the failure's exit code (2 input, 3 verification, 4 registry), 0 when it did not fail
 */
public record DestinationResult(
        ImageReference repository,
        Outcome outcome,
        List<String> tagsWritten,
        List<String> tagsUnchanged,
        int blobsCopied,
        int blobsMounted,
        int blobsSkipped,
        long bytesCopied,
        int manifestsPut,
        String error,
        int exitCode) {

    public enum Outcome {
        COPIED,
        UNCHANGED,
        FAILED
    }

    public DestinationResult {
        tagsWritten = List.copyOf(tagsWritten);
        tagsUnchanged = List.copyOf(tagsUnchanged);
    }

    public boolean failed() {
        return outcome == Outcome.FAILED;
    }
}
