package io.jenkins.plugins.multiarch.flow;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.builder.TemporaryTags;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.PublishRequest;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import io.jenkins.plugins.multiarch.publish.Publisher;
import io.jenkins.plugins.multiarch.publish.SourceSpec;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.RecordStore;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Publishing one list from build records: the one path behind {@code pushManifestList}, {@link MultiArchFlow} and
 * {@code push-manifest-list --records}. It keeps the records of the target image (a shared folder or build also
 * holds other images'), requires every recorded platform unless told which ones (the optional ones aside), points
 * at each image by digest claiming the platform the registry confirmed, publishes, then removes digest naming's
 * temporary tags where the registry can delete a tag alone (the list holds the images by digest now). Everything
 * else about the list (tags, format, annotations, a list to amend, ...) is the caller's {@link PublishRequest.Builder}.
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
        SourceSpec source = new SourceSpec(record.reference(), record.platform(), origin);
        // the provenance the build pushed beside the image goes into the list with it
        return record.provenanceDigest().map(source::withAttestation).orElse(source);
    }

    /** {@link #sourceOf(ArchImageRecord, String)} with the record's place in a records folder as its origin. */
    public static SourceSpec sourceOf(ArchImageRecord record) {
        return sourceOf(record, "record " + RecordStore.folderName(record.image()) + "/" + record.fileName());
    }

    /** A record, and where it came from for messages (e.g. {@code record /path/linux-amd64.json}). */
    public record Recorded(ArchImageRecord record, String origin) {
        public Recorded {
            Objects.requireNonNull(record, "record");
            origin = origin == null || origin.isBlank() ? sourceOf(record).origin() : origin;
        }

        /** A record named by its place in a records folder. */
        public static Recorded of(ArchImageRecord record) {
            return new Recorded(record, null);
        }
    }

    /** {@link #publish(List, PublishRequest.Builder)} with each record named by its place in a records folder. */
    public RecordsPublished publishRecords(Collection<ArchImageRecord> records, PublishRequest.Builder list) {
        return publish(records.stream().map(Recorded::of).toList(), list);
    }

    /**
     * Publishes the records of {@code list}'s target, beside whatever {@code list} holds already (its sources, a
     * list to amend, its options); {@code list} itself is not changed. When {@code list} names no required
     * platform, every recorded platform that is not optional is required. Temporary tags go only after a real (not
     * dry-run) publish.
     */
    public RecordsPublished publish(List<Recorded> records, PublishRequest.Builder list) {
        PublishRequest.Builder request = list.copy();
        if (request.target() == null) {
            request.build(); // refuses it, saying what to give
        }
        ImageReference target = request.target();
        ImageReference repository = target.withoutTagOrDigest();
        List<ArchImageRecord> selected = new ArrayList<>();
        for (Recorded r : records) {
            ArchImageRecord record = r.record();
            if (!record.image().equals(repository)) {
                listener.info("left out " + r.origin() + ": it is a record of another image (" + record.image()
                        + "), not of " + repository);
                continue;
            }
            selected.add(record);
            request.source(sourceOf(record, r.origin()));
        }
        if (request.requiredPlatforms().isEmpty()) {
            Set<Platform> optional = request.optionalPlatforms();
            Set<Platform> required = new LinkedHashSet<>();
            for (ArchImageRecord r : selected) {
                if (optional.stream().noneMatch(o -> o.matches(r.platform()))) {
                    required.add(r.platform());
                }
            }
            request.requirePlatforms(required);
        }
        PublishResult result = new Publisher(client, listener).publish(request.build());
        List<ImageReference> left =
                result.dryRun() ? List.of() : TemporaryTags.remove(client, target, selected, listener);
        return new RecordsPublished(result, left);
    }
}
