package io.jenkins.plugins.multiarch.publish;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.image.Tags;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What to publish: one list, from {@link #sources()}, into {@link #target()} under every tag in
 * {@link #tags()}. Validated when built, so a bad request fails before any request reaches a registry.
 */
public record PublishRequest(
        ImageReference target,
        List<String> tags,
        List<SourceSpec> sources,
        ListFormat format,
        Map<String, String> annotations,
        Set<Platform> requiredPlatforms,
        Set<Platform> optionalPlatforms,
        boolean dryRun) {

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
        if (sources == null || sources.isEmpty()) {
            throw new InvalidInputException(
                    "no sources: give --source REF[=PLATFORM] or --records DIR with at least one image");
        }
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
        target = target.withoutTagOrDigest();
        tags = checkedTags;
        sources = List.copyOf(sources);
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

        public PublishRequest build() {
            return new PublishRequest(target, tags, sources, format, annotations, required, optional, dryRun);
        }
    }
}
