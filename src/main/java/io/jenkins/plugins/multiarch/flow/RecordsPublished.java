package io.jenkins.plugins.multiarch.flow;

import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import java.util.List;
import java.util.Objects;

/**
 * What publishing from records did: the publisher's result, and the temporary tags of digest naming that had to
 * stay because the registry cannot delete a tag alone (empty after a dry run, or when all could go).
 */
public record RecordsPublished(PublishResult result, List<ImageReference> temporaryTagsLeft) {

    public RecordsPublished {
        Objects.requireNonNull(result, "result");
        temporaryTagsLeft = List.copyOf(temporaryTagsLeft);
    }
}
