package io.jenkins.plugins.multiarch.flow;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.builder.TemporaryTags;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.ListFormat;
import io.jenkins.plugins.multiarch.publish.PublishRequest;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import io.jenkins.plugins.multiarch.publish.Publisher;
import io.jenkins.plugins.multiarch.publish.SourceSpec;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.RecordStore;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Publishing one list from build records: the one path behind {@code pushManifestList}, {@link MultiArchFlow} and
 * {@code push-manifest-list --records}. It keeps the records of the target image (a shared folder or build also
 * holds other images'), requires every recorded platform unless told which ones (the optional ones aside), points
 * at each image by digest claiming the platform the registry confirmed, publishes, then removes digest naming's
 * temporary tags where the registry can delete a tag alone (the list holds the images by digest now).
 */
public final class PublishFromRecords {

    private final RegistryClient client;
    private final LogListener listener;

    public PublishFromRecords(RegistryClient client, LogListener listener) {
        this.client = Objects.requireNonNull(client, "client");
        this.listener = listener == null ? LogListener.NONE : listener;
    }

    /** The publisher's input for a record: its image by digest, claiming the platform read back from the registry. */
    public static SourceSpec sourceOf(ArchImageRecord record, String origin) {
        return new SourceSpec(record.reference(), record.platform(), origin);
    }

    /** {@link #sourceOf(ArchImageRecord, String)} with the record's place in a records folder as its origin. */
    public static SourceSpec sourceOf(ArchImageRecord record) {
        return sourceOf(record, "record " + RecordStore.folderName(record.image()) + "/" + record.fileName());
    }

    /** Publishes; returns the publisher's result. Temporary tags go only after a real (not dry-run) publish. */
    public PublishResult publish(Request request) {
        ImageReference repository = request.target.withoutTagOrDigest();
        List<ArchImageRecord> selected = new ArrayList<>();
        List<SourceSpec> sources = new ArrayList<>(request.sources);
        for (Map.Entry<ArchImageRecord, String> e : request.records.entrySet()) {
            ArchImageRecord record = e.getKey();
            if (!record.image().equals(repository)) {
                listener.info("left out " + e.getValue() + ": it is a record of another image (" + record.image()
                        + "), not of " + repository);
                continue;
            }
            selected.add(record);
            sources.add(sourceOf(record, e.getValue()));
        }
        Set<Platform> required = new LinkedHashSet<>(request.required);
        if (required.isEmpty()) {
            for (ArchImageRecord r : selected) {
                if (request.optional.stream().noneMatch(o -> o.matches(r.platform()))) {
                    required.add(r.platform());
                }
            }
        }
        PublishRequest publish = PublishRequest.builder()
                .target(request.target)
                .tags(request.tags)
                .sources(sources)
                .format(request.format)
                .annotations(request.annotations)
                .requirePlatforms(required)
                .optionalPlatforms(request.optional)
                .dryRun(request.dryRun)
                .build();
        PublishResult result = new Publisher(client, listener).publish(publish);
        if (!result.dryRun()) {
            TemporaryTags.remove(client, request.target, selected, listener);
        }
        return result;
    }

    public static Request.Builder request() {
        return new Request.Builder();
    }

    /** What to publish: records (each with where it came from, for messages), further sources, and the list's options. */
    public static final class Request {
        private final ImageReference target;
        private final List<String> tags;
        private final Map<ArchImageRecord, String> records;
        private final List<SourceSpec> sources;
        private final ListFormat format;
        private final Map<String, String> annotations;
        private final Set<Platform> required;
        private final Set<Platform> optional;
        private final boolean dryRun;

        private Request(Builder b) {
            this.target = Objects.requireNonNull(b.target, "target");
            this.tags = List.copyOf(b.tags);
            this.records = new LinkedHashMap<>(b.records);
            this.sources = List.copyOf(b.sources);
            this.format = b.format == null ? ListFormat.AUTO : b.format;
            this.annotations = new LinkedHashMap<>(b.annotations);
            this.required = new LinkedHashSet<>(b.required);
            this.optional = new LinkedHashSet<>(b.optional);
            this.dryRun = b.dryRun;
        }

        public static final class Builder {
            private ImageReference target;
            private final List<String> tags = new ArrayList<>();
            private final Map<ArchImageRecord, String> records = new LinkedHashMap<>();
            private final List<SourceSpec> sources = new ArrayList<>();
            private ListFormat format;
            private final Map<String, String> annotations = new LinkedHashMap<>();
            private final Set<Platform> required = new LinkedHashSet<>();
            private final Set<Platform> optional = new LinkedHashSet<>();
            private boolean dryRun;

            private Builder() {}

            public Builder target(ImageReference target) {
                this.target = target;
                return this;
            }

            public Builder tags(Collection<String> values) {
                tags.addAll(values);
                return this;
            }

            /** A record, named in messages as {@code origin} (e.g. {@code record /path/linux-amd64.json}). */
            public Builder record(ArchImageRecord record, String origin) {
                records.put(record, origin);
                return this;
            }

            public Builder records(Collection<ArchImageRecord> values) {
                values.forEach(r -> records.put(r, sourceOf(r).origin()));
                return this;
            }

            /** Sources given explicitly (by reference), beside or instead of records. */
            public Builder sources(Collection<SourceSpec> values) {
                sources.addAll(values);
                return this;
            }

            public Builder format(ListFormat format) {
                this.format = format;
                return this;
            }

            public Builder annotations(Map<String, String> values) {
                annotations.putAll(values);
                return this;
            }

            /** Required platforms; none given: every recorded platform that is not optional. */
            public Builder requirePlatforms(Collection<Platform> platforms) {
                required.addAll(platforms);
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

            public Request build() {
                return new Request(this);
            }
        }
    }
}
