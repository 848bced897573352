package io.jenkins.plugins.multiarch.publish;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageIndex;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.publish.PublishResult.Amendment;
import io.jenkins.plugins.multiarch.publish.PublishResult.Amendment.Change;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Amending a published list ({@code --from REF}): REF's entries are resolved and verified like an index source's
 * and kept byte for byte, with their attestations; {@code --remove} drops an entry and its attestations; a source
 * of a platform REF has replaces REF's entry (and its attestations) only with {@code --replace}, else the platform
 * is given twice; the other sources are added. REF may be a single image: a one-entry list.
 */
final class ListAmendment {

    private final RegistryClient client;
    private final SourceResolver resolver;
    private final LogListener listener;

    ListAmendment(RegistryClient client, SourceResolver resolver, LogListener listener) {
        this.client = client;
        this.resolver = resolver;
        this.listener = listener;
    }

    /**
     * The list an amendment starts from: its entries (images and attestations, in its order, each with its exact
     * descriptor bytes when REF is a list), its index annotations, and its media type when it is a list.
     */
    record Base(
            ImageReference from,
            Digest digest,
            MediaType listType,
            List<ResolvedChild> entries,
            Map<String, String> annotations) {}

    /** What the amended list holds, in its order, and what changed against the base. */
    record Merged(List<ResolvedChild> ordered, Amendment amendment) {}

    Base resolveBase(ImageReference from) {
        RawManifest raw;
        try {
            raw = client.fetchManifest(from);
        } catch (RegistryException e) {
            if (e.statusCode() == 404) {
                throw new VerificationException(
                        "--from " + from + " does not exist in the registry: give the list to amend by a tag or "
                                + "digest it is published under, e.g. --from " + from.withoutTagOrDigest()
                                + ":1.0",
                        e);
            }
            throw e;
        }
        SourceSpec spec = new SourceSpec(from, null, "--from " + from);
        List<ResolvedChild> entries = resolver.resolveFetched(spec, raw);
        if (!(raw.parsed() instanceof ImageIndex index)) {
            listener.info("--from " + from + " is a single image: amending it as a one-entry list");
            return new Base(from, raw.digest(), null, entries, Map.of());
        }
        // each entry's exact bytes, by digest (an index lists a manifest once)
        Map<Digest, byte[]> exact = new HashMap<>();
        List<byte[]> spans = IndexEntries.of(raw.bytes());
        List<Descriptor> descriptors = index.manifests();
        for (int i = 0; i < descriptors.size() && i < spans.size(); i++) {
            exact.putIfAbsent(descriptors.get(i).digest(), spans.get(i));
        }
        List<ResolvedChild> kept = new ArrayList<>();
        for (ResolvedChild entry : entries) {
            byte[] json = exact.get(entry.digest());
            kept.add(json == null ? entry : entry.keptAs(json));
        }
        if (kept.size() < descriptors.size()) {
            listener.warn("--from " + from + ": " + (descriptors.size() - kept.size())
                    + " attestation entr(ies) describe no image of the list and are left out");
        }
        return new Base(from, raw.digest(), index.mediaType(), kept, index.annotations());
    }

    /** The base with REF's removed platforms dropped, replaced ones swapped in place, and the new ones added. */
    Merged merge(PublishRequest request, Base base, List<ResolvedChild> added, List<String> notes) {
        List<ResolvedChild> baseImages =
                base.entries().stream().filter(r -> !r.isAttestation()).toList();
        List<ResolvedChild> addedImages =
                added.stream().filter(r -> !r.isAttestation()).toList();
        List<Change> changes = new ArrayList<>();

        List<ResolvedChild> removed = new ArrayList<>();
        for (Platform platform : request.remove()) {
            List<ResolvedChild> matching = baseImages.stream()
                    .filter(r -> r.platform().matches(platform))
                    .toList();
            if (matching.isEmpty()) {
                // a re-run of the same amendment finds it gone already: nothing to do, not an error
                notes.add("--remove " + platform + ": " + base.from() + " has no such entry, nothing removed");
            }
            for (ResolvedChild r : matching) {
                Optional<ResolvedChild> alsoAdded = addedImages.stream()
                        .filter(a -> a.platform().matches(r.platform()))
                        .findFirst();
                if (alsoAdded.isPresent()) {
                    throw new InvalidInputException("platform " + r.platform().normalize() + " is removed (--remove "
                            + platform + ") and added by " + alsoAdded.get().origin()
                            + ": to put the new image in its place, give --replace instead of --remove");
                }
                removed.add(r);
                changes.add(new Change(Change.Kind.REMOVED, r.platform(), r.digest(), null));
            }
        }

        Map<ResolvedChild, ResolvedChild> replacedBy = new LinkedHashMap<>();
        List<ResolvedChild> fresh = new ArrayList<>();
        for (ResolvedChild a : addedImages) {
            Optional<ResolvedChild> old = baseImages.stream()
                    .filter(r -> !removed.contains(r) && r.platform().matches(a.platform()))
                    .findFirst();
            if (old.isEmpty()) {
                fresh.add(a);
            } else if (!request.replace()) {
                ResolvedChild b = old.get();
                throw new VerificationException("platform " + a.platform().normalize() + " is given twice: by "
                        + b.origin() + " (" + b.digest() + ") and by " + a.origin() + " (" + a.digest()
                        + "); keep one of them, or give --replace to put the new image in the old one's place");
            } else {
                replacedBy.put(old.get(), a);
            }
        }

        List<ResolvedChild> images = new ArrayList<>();
        for (ResolvedChild b : baseImages) {
            if (removed.contains(b)) {
                continue;
            }
            ResolvedChild a = replacedBy.get(b);
            if (a == null) {
                images.add(b);
                changes.add(new Change(Change.Kind.KEPT, b.platform(), b.digest(), null));
            } else {
                images.add(a);
                changes.add(new Change(Change.Kind.REPLACED, a.platform(), a.digest(), b.digest()));
            }
        }
        List<ResolvedChild> freshOrdered = SourceResolver.order(fresh);
        for (ResolvedChild a : freshOrdered) {
            images.add(a);
            changes.add(new Change(Change.Kind.ADDED, a.platform(), a.digest(), null));
        }
        if (images.isEmpty()) {
            throw new InvalidInputException("removing " + request.remove() + " from " + base.from()
                    + " leaves an empty list: keep at least one platform, or add one with --source");
        }
        // attestations follow their image: the base's for the images kept, the sources' for the new ones (the old
        // image's attestations go with it)
        Set<Digest> keptImages = new HashSet<>();
        for (Change c : changes) {
            if (c.kind() == Change.Kind.KEPT) {
                keptImages.add(c.digest());
            }
        }
        List<ResolvedChild> attestations = new ArrayList<>();
        base.entries().stream()
                .filter(r -> r.isAttestation() && keptImages.contains(r.attestationFor()))
                .forEach(attestations::add);
        added.stream().filter(ResolvedChild::isAttestation).forEach(attestations::add);
        List<ResolvedChild> ordered = SourceResolver.withAttestations(images, attestations);
        return new Merged(ordered, new Amendment(base.from(), base.digest(), changes));
    }
}
