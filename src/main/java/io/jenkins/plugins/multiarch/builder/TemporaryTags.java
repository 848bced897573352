package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Naming;
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

    /**
     * Removes the temporary tags of these records in {@code target}'s repository; returns the ones that had to
     * stay. Never throws for them. A record's reference is deleted only if it is what digest naming pushes for
     * that record's platform in that repository ({@code build-<arch>-<12 hex>}): a record that says otherwise
     * (edited, or sent by a compromised agent) cannot make this delete another tag or another repository's.
     * A suffix naming's record names its temporary tag only when the builder could not remove it right after the
     * per-arch names were put ({@link ArchImageRecord#temporaryTag()}); that tag is removed here, under the same
     * rule, in the repository the naming gives for the target ({@code REPO-arm64v8} for repo-suffix).
     */
    public static List<ImageReference> remove(
            RegistryClient client, ImageReference target, Collection<ArchImageRecord> records, LogListener listener) {
        ImageReference repository = target.withoutTagOrDigest();
        List<ImageReference> left = new ArrayList<>();
        for (ArchImageRecord record : records) {
            List<ImageReference> candidates = new ArrayList<>();
            if (record.naming() == Naming.DIGEST) {
                record.pushed().stream()
                        .filter(p -> isTemporaryTagOf(p, repository, record))
                        .forEach(candidates::add);
            } else if (record.temporaryTag() != null
                    && isTemporaryTagOf(record.temporaryTag(), perArchRepository(repository, record), record)) {
                candidates.add(record.temporaryTag());
            }
            for (ImageReference temporary : candidates) {
                try {
                    if (client.deleteTag(temporary) == RegistryClient.TagDeletion.UNSUPPORTED) {
                        left.add(temporary);
                    }
                } catch (RegistryException e) {
                    left.add(temporary);
                    listener.debug("could not delete temporary tag " + temporary + ": " + e.getMessage());
                }
            }
        }
        if (!left.isEmpty()) {
            listener.info("left " + left.size() + " temporary tag(s) in place, e.g. " + left.get(0)
                    + ": this registry cannot delete a tag without deleting the image");
        }
        return left;
    }

    /** Where a suffix naming puts a platform's names for {@code repository}: REPO-arm64v8 (repo-suffix) or REPO. */
    private static ImageReference perArchRepository(ImageReference repository, ArchImageRecord record) {
        return record.naming() == Naming.REPO_SUFFIX
                ? repository.withRepository(
                        repository.repository() + "-" + record.platform().dockerLibraryArch())
                : repository;
    }

    static boolean isTemporaryTagOf(ImageReference pushed, ImageReference repository, ArchImageRecord record) {
        return pushed.digest().isEmpty()
                && pushed.withoutTagOrDigest().equals(repository)
                && pushed.tag().filter(Naming::isTemporaryTag).isPresent()
                && pushed.tag().get().startsWith("build-" + record.platform().dockerLibraryArch() + "-");
    }
}
