package io.jenkins.plugins.multiarch.build;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Digest naming pushes each image under a temporary tag ({@code build-<arch>-<hex>}). Once the published list
 * references the images by digest the tags are not needed: they are deleted where the registry can delete a
 * tag alone (OCI distribution 1.1) and left, with one line saying so, where it cannot (distribution 2.8).
 * Never a delete by digest: that would delete the image. Call it only after the list is published: before,
 * an untagged image could be garbage-collected.
 */
public final class TemporaryTags {

    private TemporaryTags() {}

    /** Removes the temporary tags of these records; returns the ones that had to stay. Never throws for them. */
    public static List<ImageReference> remove(
            RegistryClient client, Collection<ArchImageRecord> records, LogListener listener) {
        List<ImageReference> left = new ArrayList<>();
        for (ArchImageRecord record : records) {
            if (record.naming() != Naming.DIGEST) {
                continue;
            }
            for (ImageReference pushed : record.pushed()) {
                if (pushed.digest().isPresent()
                        || pushed.tag().isEmpty()
                        || !Naming.isTemporaryTag(pushed.tag().get())) {
                    continue;
                }
                try {
                    if (client.deleteTag(pushed) == RegistryClient.TagDeletion.UNSUPPORTED) {
                        left.add(pushed);
                    }
                } catch (RegistryException e) {
                    left.add(pushed);
                    listener.debug("could not delete temporary tag " + pushed + ": " + e.getMessage());
                }
            }
        }
        if (!left.isEmpty()) {
            listener.info("left " + left.size() + " temporary tag(s) in place, e.g. " + left.get(0)
                    + ": this registry cannot delete a tag without deleting the image");
        }
        return left;
    }
}
