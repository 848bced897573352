package io.jenkins.plugins.multiarch.publish;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.image.Tags;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What to publish: one list, from {@link #sources()}, into {@link #target()} under every tag in
 * {@link #tags()}. Validated when built, so a bad request fails before any request reaches a registry.
 *
 * <p>An amendment starts from the list at {@link #from()} (its entries kept byte for byte), drops the platforms in
 * {@link #remove()}, and adds the sources; a source of a platform the list has replaces that entry only when
 * {@link #replace()} is set. The CLI, the step and the step's form all apply these rules, here.
 */
public record PublishRequest(
        ImageReference target,
        List<String> tags,
        List<SourceSpec> sources,
        ListFormat format,
        Map<String, String> annotations,
        Set<Platform> requiredPlatforms,
        Set<Platform> optionalPlatforms,
        boolean dryRun,
        ImageReference from,
        boolean replace,
        Set<Platform> remove) {

    public PublishRequest {
        if (target == null) {
            throw new InvalidInputException(
                    "image (the target repository) is required, e.g. registry.example/onap/py-app");
        }
        if (target.digest().isPresent()) {
            throw new InvalidInputException(
                    "image '" + target + "' must name a repository, not a digest: " + "give tags with --tag instead");
        }
        List<String> allTags = new ArrayList<>(tags == null ? List.of() : tags);
        target.tag().ifPresent(t -> {
            if (!allTags.contains(t)) {
                allTags.add(0, t);
            }
        });
        if (allTags.isEmpty()) {
            throw new InvalidInputException("at least one tag is required for '" + target + "', e.g. --tag 1.0");
        }
        List<String> checkedTags = Tags.parse(allTags);
        sources = List.copyOf(sources == null ? List.of() : sources);
        if (sources.isEmpty() && from == null) {
            throw new InvalidInputException("no sources: give --source REF[=PLATFORM] or --records DIR with at least "
                    + "one image, or --from REF to amend a published list");
        }
        remove = Collections.unmodifiableSet(new LinkedHashSet<>(remove == null ? Set.of() : remove));
        checkAmendment(from, replace, remove, sources);
        format = format == null ? ListFormat.AUTO : format;
        annotations = Map.copyOf(annotations == null ? Map.of() : new LinkedHashMap<>(annotations));
        if (format == ListFormat.DOCKER && !annotations.isEmpty()) {
            throw new InvalidInputException("annotations " + annotations.keySet() + " need an OCI index: "
                    + "use format oci (or auto), or drop the annotations");
        }
        requiredPlatforms = Set.copyOf(requiredPlatforms == null ? Set.of() : requiredPlatforms);
        optionalPlatforms = Set.copyOf(optionalPlatforms == null ? Set.of() : optionalPlatforms);
        for (Platform p : optionalPlatforms) {
            if (requiredPlatforms.stream().anyMatch(p::matches)) {
                throw new InvalidInputException("platform " + p + " is both required and optional: name it once");
            }
        }
        for (Platform p : remove) {
            if (requiredPlatforms.stream().anyMatch(p::matches)) {
                throw new InvalidInputException("platform " + p + " is both required and removed: name it once");
            }
        }
        target = target.withoutTagOrDigest();
        tags = checkedTags;
    }

    /**
     * The list to amend, as {@code --from} and the step's {@code from} give it: a reference with a tag or a digest
     * (an amendment of an implicit {@code latest} is too easy to get by mistake).
     */
    public static ImageReference parseFrom(String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException("from must name the list to amend, e.g. registry.example/onap/py-app:1.0");
        }
        ImageReference from = ImageReference.parse(value.trim());
        if (from.tag().isEmpty() && from.digest().isEmpty()) {
            throw new InvalidInputException("from '" + value.trim() + "' names no tag or digest: give the list to "
                    + "amend as REPO:TAG or REPO@sha256:..., e.g. " + from + ":1.0");
        }
        return from;
    }

    /** {@code replace} and {@code remove} need a list to amend; a platform is not removed and added at once. */
    private static void checkAmendment(
            ImageReference from, boolean replace, Set<Platform> remove, List<SourceSpec> sources) {
        if (from == null && (replace || !remove.isEmpty())) {
            throw new InvalidInputException(
                    (replace ? "--replace" : "--remove " + remove.iterator().next())
                            + " changes a published list: give the list with --from REF");
        }
        if (from != null && from.tag().isEmpty() && from.digest().isEmpty()) {
            parseFrom(from.toString()); // refuses it, with the fix
        }
        for (SourceSpec spec : sources) {
            for (Platform p : remove) {
                if (spec.claimedPlatform() != null && spec.claimedPlatform().matches(p)) {
                    throw new InvalidInputException("platform " + p + " is removed (--remove) and added by "
                            + spec.origin() + ": to put the new image in its place, give --replace instead of "
                            + "--remove");
                }
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Fluent builder; {@link #build()} validates. */
    public static final class Builder {
        private ImageReference target;
        private final List<String> tags = new ArrayList<>();
        private final List<SourceSpec> sources = new ArrayList<>();
        private ListFormat format = ListFormat.AUTO;
        private final Map<String, String> annotations = new LinkedHashMap<>();
        private final Set<Platform> required = new LinkedHashSet<>();
        private final Set<Platform> optional = new LinkedHashSet<>();
        private boolean dryRun;
        private ImageReference from;
        private boolean replace;
        private final Set<Platform> remove = new LinkedHashSet<>();

        /** A builder holding the same values, to change without changing this one. */
        public Builder copy() {
            Builder b = new Builder();
            b.target = target;
            b.tags.addAll(tags);
            b.sources.addAll(sources);
            b.format = format;
            b.annotations.putAll(annotations);
            b.required.addAll(required);
            b.optional.addAll(optional);
            b.dryRun = dryRun;
            b.from = from;
            b.replace = replace;
            b.remove.addAll(remove);
            return b;
        }

        /** The target given so far (null if none). */
        public ImageReference target() {
            return target;
        }

        /** The required platforms given so far. */
        public Set<Platform> requiredPlatforms() {
            return Set.copyOf(required);
        }

        /** The optional platforms given so far. */
        public Set<Platform> optionalPlatforms() {
            return Set.copyOf(optional);
        }

        public boolean isDryRun() {
            return dryRun;
        }

        public Builder target(ImageReference target) {
            this.target = target;
            return this;
        }

        public Builder target(String target) {
            return target(ImageReference.parse(target));
        }

        public Builder tag(String tag) {
            tags.add(tag);
            return this;
        }

        public Builder tags(Collection<String> values) {
            tags.addAll(values);
            return this;
        }

        public Builder source(SourceSpec source) {
            sources.add(source);
            return this;
        }

        public Builder source(ImageReference reference, Platform claimed) {
            return source(new SourceSpec(reference, claimed, null));
        }

        public Builder sources(Collection<SourceSpec> values) {
            sources.addAll(values);
            return this;
        }

        public Builder format(ListFormat format) {
            this.format = format;
            return this;
        }

        public Builder annotation(String key, String value) {
            annotations.put(key, value);
            return this;
        }

        public Builder annotations(Map<String, String> values) {
            annotations.putAll(values);
            return this;
        }

        public Builder requirePlatform(Platform platform) {
            required.add(platform);
            return this;
        }

        public Builder requirePlatforms(Collection<Platform> platforms) {
            required.addAll(platforms);
            return this;
        }

        public Builder optionalPlatform(Platform platform) {
            optional.add(platform);
            return this;
        }

        public Builder optionalPlatforms(Collection<Platform> platforms) {
            optional.addAll(platforms);
            return this;
        }

        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        /** The list to amend: its entries are kept, byte for byte, unless removed or replaced. */
        public Builder from(ImageReference from) {
            this.from = from;
            return this;
        }

        public Builder replace(boolean replace) {
            this.replace = replace;
            return this;
        }

        /** A platform to drop from the amended list, with its attestations. */
        public Builder remove(Platform platform) {
            remove.add(platform);
            return this;
        }

        public Builder removePlatforms(Collection<Platform> platforms) {
            remove.addAll(platforms);
            return this;
        }

        public PublishRequest build() {
            return new PublishRequest(
                    target, tags, sources, format, annotations, required, optional, dryRun, from, replace, remove);
        }
    }
}
