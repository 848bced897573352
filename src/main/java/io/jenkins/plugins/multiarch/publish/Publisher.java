package io.jenkins.plugins.multiarch.publish;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.publish.PublishResult.Amendment;
import io.jenkins.plugins.multiarch.publish.PublishResult.Child;
import io.jenkins.plugins.multiarch.publish.PublishResult.TagOutcome;
import io.jenkins.plugins.multiarch.publish.PublishResult.Transfer;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Future;

/**
 * Publishes one verified multi-platform list. This is what {@code pushManifestList} and
 * {@code multiarch push-manifest-list} run.
 *
 * <p>Order of work, chosen so that a failure never leaves a tag pointing at something missing or wrong:
 * resolve and verify every child (manifest and config, in parallel; {@link SourceResolver}, with
 * {@link ListAmendment} for the entries of a list being amended); build the list and look where each tag points
 * now (a re-publish whose tags all hold this list stops here); make every child present in the target repository
 * (mount, or copy within the registry; {@link ChildTransfer}); put the list under the first tag, the client
 * checking the digest the registry returns; only then move the other tags ({@link ListPusher}).
 */
public final class Publisher {

    private final RegistryClient client;
    private final LogListener listener;

    public Publisher(RegistryClient client, LogListener listener) {
        this.client = Objects.requireNonNull(client, "client");
        this.listener = listener == null ? LogListener.NONE : listener;
    }

    public PublishResult publish(PublishRequest request) {
        int requestsBefore = client.requestCount();
        List<String> notes = new ArrayList<>();
        ImageReference target = request.target();
        for (SourceSpec spec : request.sources()) {
            if (!spec.reference().registry().equals(target.registry())) {
                throw new InvalidInputException("source " + spec.origin() + " is on registry "
                        + spec.reference().registry()
                        + " but the target " + target + " is on " + target.registry() + "; copying across registries "
                        + "is not supported: push the image to " + target.registry() + " first");
            }
        }
        if (request.from() != null && !request.from().registry().equals(target.registry())) {
            throw new InvalidInputException("--from " + request.from() + " is on registry "
                    + request.from().registry() + " but the target " + target + " is on " + target.registry()
                    + "; amend a list of " + target.registry() + ", or copy the list there first");
        }

        try (PublishTasks tasks = new PublishTasks()) {
            return publish(request, target, notes, requestsBefore, tasks);
        }
    }

    private PublishResult publish(
            PublishRequest request, ImageReference target, List<String> notes, int requestsBefore, PublishTasks tasks) {
        // Where each tag points now (read while the sources resolve: it does not depend on them). A re-publish
        // whose tags all hold the list has nothing left to do.
        Map<String, Future<Optional<Digest>>> heads = new LinkedHashMap<>();
        for (String tag : request.tags()) {
            heads.put(tag, tasks.submit(() -> client.headDigest(target.withTag(tag))));
        }
        SourceResolver resolver = new SourceResolver(client, listener);
        ListAmendment amending = new ListAmendment(client, resolver, listener);
        // the list being amended resolves beside the sources
        Future<ListAmendment.Base> base =
                request.from() == null ? null : tasks.submit(() -> amending.resolveBase(request.from()));
        List<ResolvedChild> resolved = resolver.resolveAll(tasks, request, notes);
        List<Platform> missingOptional = new ArrayList<>();
        List<ResolvedChild> ordered;
        Amendment amendment = null;
        Map<String, String> annotations = request.annotations();
        MediaType amendedType = null;
        if (base == null) {
            resolver.checkPlatforms(request, resolved, missingOptional);
            ordered = SourceResolver.order(resolved);
        } else {
            ListAmendment.Base from = PublishTasks.await(base);
            ListAmendment.Merged merged = amending.merge(request, from, resolved, notes);
            resolver.checkPlatforms(request, merged.ordered(), missingOptional);
            ordered = merged.ordered();
            amendment = merged.amendment();
            // the amended list's annotations stay, those given now win
            Map<String, String> all = new LinkedHashMap<>(from.annotations());
            all.putAll(request.annotations());
            annotations = all;
            amendedType = from.listType();
        }
        ListFormat format = ListPusher.chooseFormat(request, ordered, annotations, amendedType);
        RawManifest list = ListPusher.buildList(format, ordered, annotations);

        Map<String, Optional<Digest>> current = new LinkedHashMap<>();
        heads.forEach((tag, head) -> current.put(tag, PublishTasks.await(head)));
        boolean unchanged = current.values().stream().allMatch(d -> ListPusher.holds(d, list));
        List<Transfer> transfers = unchanged
                ? ordered.stream().map(r -> Transfer.PRESENT).toList()
                : new ChildTransfer(client, listener).bringIntoTarget(target, ordered, request.dryRun(), tasks);

        List<TagOutcome> outcomes = new ArrayList<>();
        RawManifest published = list;
        if (request.dryRun()) {
            for (Map.Entry<String, Optional<Digest>> tag : current.entrySet()) {
                outcomes.add(new TagOutcome(
                        tag.getKey(),
                        ListPusher.holds(tag.getValue(), list)
                                ? TagOutcome.Status.UNCHANGED
                                : TagOutcome.Status.PLANNED,
                        tag.getValue().orElse(null)));
            }
            listener.info("dry run: would publish " + list.mediaType().value() + " " + list.digest() + " to " + target
                    + " under " + request.tags());
        } else {
            published = new ListPusher(client, listener)
                    .pushTags(target, request, ordered, annotations, list, current, outcomes, notes, tasks);
        }
        List<Child> children = new ArrayList<>();
        for (int i = 0; i < ordered.size(); i++) {
            ResolvedChild r = ordered.get(i);
            children.add(new Child(
                    r.platform(),
                    r.digest(),
                    r.raw().mediaType(),
                    r.raw().size(),
                    r.source(),
                    r.origin(),
                    transfers.get(i),
                    r.annotations(),
                    r.isAttestation(),
                    r.attestationFor(),
                    imageSize(r.manifest())));
        }
        for (String note : notes) {
            listener.info(note);
        }
        return new PublishResult(
                target,
                published.digest(),
                published.mediaType(),
                published.size(),
                published.bytes(),
                children,
                outcomes,
                missingOptional,
                notes,
                client.requestCount() - requestsBefore,
                request.dryRun(),
                amendment);
    }

    /** Config plus layers, compressed: what a pull of this image transfers at most. */
    private static long imageSize(ImageManifest manifest) {
        if (manifest == null) {
            return -1;
        }
        return manifest.config().size()
                + manifest.layers().stream().mapToLong(Descriptor::size).sum();
    }
}
