package io.jenkins.plugins.multiarch.copy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Tags;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * One destination of a copy: a repository, on any registry, and the tags the copied list goes under there.
 * No tags: the source's tag, or by digest only when the source has none.
 *
 * @param repository the destination repository (its tag or digest, if any, is ignored: see {@link #parse})
 * @param tags       possibly empty; none twice
 */
public record CopyTarget(ImageReference repository, List<String> tags) {

    public CopyTarget {
        Objects.requireNonNull(repository, "repository");
        repository = repository.withoutTagOrDigest();
        List<String> distinct = new ArrayList<>();
        for (String tag : new LinkedHashSet<>(tags == null ? List.of() : tags)) {
            distinct.add(Tags.parseOne(tag)); // an invalid tag is bad input (exit 2)
        }
        tags = List.copyOf(distinct);
    }

    public static CopyTarget of(ImageReference repository, List<String> tags) {
        return new CopyTarget(repository, tags);
    }

    /**
     * A destination as a user writes it, {@code REGISTRY/REPO[:TAG]}, plus {@code extraTags} given for every
     * destination. A digest is refused: a copy keeps the source's digest, so naming one adds nothing but a
     * chance to be wrong.
     */
    public static CopyTarget parse(String what, String reference, List<String> extraTags) {
        ImageReference ref = ImageReference.parse(reference);
        if (ref.digest().isPresent()) {
            throw new InvalidInputException(what + " '" + reference + "' names a digest: a copy keeps the source's"
                    + " digest; give the destination as REGISTRY/REPO or REGISTRY/REPO:TAG");
        }
        List<String> tags = new ArrayList<>();
        ref.tag().ifPresent(tags::add);
        tags.addAll(extraTags == null ? List.of() : extraTags);
        return new CopyTarget(ref, tags);
    }

    /** The tags the list goes under: these, else the source's tag, else none (by digest only). */
    List<String> tagsFor(ImageReference source) {
        if (!tags.isEmpty()) {
            return tags;
        }
        return source.tag().map(List::of).orElse(List.of());
    }

    @Override
    public String toString() {
        return repository.repositoryString() + (tags.isEmpty() ? "" : ":" + String.join(",", tags));
    }
}
