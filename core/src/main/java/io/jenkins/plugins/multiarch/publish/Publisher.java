package io.jenkins.plugins.multiarch.publish;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageIndex;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import io.jenkins.plugins.multiarch.manifest.Manifest;
import io.jenkins.plugins.multiarch.manifest.ManifestCodec;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.publish.PublishResult.Child;
import io.jenkins.plugins.multiarch.publish.PublishResult.TagOutcome;
import io.jenkins.plugins.multiarch.publish.PublishResult.Transfer;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Publishes one verified multi-platform list. This is what {@code pushManifestList} and
 * {@code multiarch push-manifest-list} run.
 *
 * <p>Order of work, chosen so that a failure never leaves a tag pointing at something missing or wrong:
 * resolve and verify every child (manifest and config) first; then make every child present in the
 * target repository (mount, or copy within the registry); then put the list under the first tag and
 * check the digest the registry returns; only then move the other tags.
 */
public final class Publisher {

    /** Image configs are small JSON documents; anything bigger is not a config. */
    private static final long MAX_CONFIG_BYTES = 8L * 1024 * 1024;
    private static final int MAX_PARALLEL = 8;

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

        List<Resolved> resolved = resolveAll(request, notes);
        List<Platform> missingOptional = new ArrayList<>();
        List<Resolved> kept = checkPlatforms(request, resolved, missingOptional);
        List<Resolved> ordered = order(kept);

        ListFormat format = chooseFormat(request, ordered);
        List<Child> children = new ArrayList<>();
        for (Resolved r : ordered) {
            Transfer transfer = bringIntoTarget(target, r, request.dryRun());
            children.add(new Child(r.platform, r.raw.digest(), r.raw.mediaType(), r.raw.bytes().length,
                    r.source, r.origin, transfer, r.annotations, r.attestationFor != null, r.attestationFor));
        }

        RawManifest list = buildList(format, ordered, request.annotations());
        List<TagOutcome> outcomes = new ArrayList<>();
        if (request.dryRun()) {
            for (String tag : request.tags()) {
                outcomes.add(new TagOutcome(tag, TagOutcome.Status.PLANNED, null));
            }
            listener.info("dry run: would publish " + list.mediaType().value() + " " + list.digest() + " to "
                    + target + " under " + request.tags());
        } else {
            list = pushTags(target, request, ordered, list, outcomes, notes);
        }
        for (String note : notes) {
            listener.info(note);
        }
        return new PublishResult(target, list.digest(), list.mediaType(), list.bytes().length, list.bytes(),
                children, outcomes, missingOptional, notes, client.requestCount() - requestsBefore,
                request.dryRun());
    }

    // ---- 1. resolve and verify ------------------------------------------------------------------

    /** One resolved list entry: exact manifest bytes, platform read from its config, where it came from. */
    private record Resolved(
            SourceSpec spec,
            ImageReference source,
            String origin,
            RawManifest raw,
            ImageManifest manifest,
            Platform platform,
            Map<String, String> annotations,
            Digest attestationFor) {
    }

    private List<Resolved> resolveAll(PublishRequest request, List<String> notes) {
        List<SourceSpec> sources = request.sources();
        List<List<Resolved>> perSource = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(MAX_PARALLEL, sources.size()), r -> {
            Thread t = new Thread(r, "multiarch-resolve");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<List<Resolved>>> futures = new ArrayList<>();
            for (SourceSpec spec : sources) {
                futures.add(pool.submit(() -> resolveSource(spec, request, notes)));
            }
            for (Future<List<Resolved>> f : futures) {
                perSource.add(await(f));
            }
        } finally {
            pool.shutdownNow();
        }
        List<Resolved> all = new ArrayList<>();
        perSource.forEach(all::addAll);
        return all;
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while resolving sources", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MultiarchException me) {
                throw me;
            }
            throw new RegistryException("resolving sources failed: " + e.getCause(), e.getCause());
        }
    }

    private List<Resolved> resolveSource(SourceSpec spec, PublishRequest request, List<String> notes) {
        RawManifest raw;
        try {
            raw = client.fetchManifest(spec.reference());
        } catch (RegistryException e) {
            if (e.statusCode() == 404) {
                if (spec.claimedPlatform() != null && isOptional(request, spec.claimedPlatform())) {
                    synchronized (notes) {
                        notes.add("optional platform " + spec.claimedPlatform() + " left out: " + spec.reference()
                                + " does not exist");
                    }
                    return List.of();
                }
                throw new VerificationException("source " + spec.origin() + ": " + spec.reference()
                        + " does not exist in the registry; build and push it first, or drop it from the sources", e);
            }
            throw e;
        }
        Manifest parsed = raw.parsed();
        ImageReference repo = spec.reference().withoutTagOrDigest();
        if (parsed instanceof ImageManifest manifest) {
            Platform platform = readPlatform(repo, manifest, spec.reference());
            if (spec.claimedPlatform() != null && !spec.claimedPlatform().matches(platform)) {
                throw new VerificationException("source " + spec.origin() + " claims platform "
                        + spec.claimedPlatform() + " but its image config says " + platform + " ("
                        + spec.reference() + " " + raw.digest() + "); rebuild it for " + spec.claimedPlatform()
                        + " or fix the claim");
            }
            listener.info("verified " + spec.reference().withoutTagOrDigest().withDigest(raw.digest()) + " is " + platform);
            return List.of(new Resolved(spec, repo, spec.origin(), raw, manifest, platform, Map.of(), null));
        }
        return resolveIndex(spec, repo, (ImageIndex) parsed, raw);
    }

    private static boolean isOptional(PublishRequest request, Platform platform) {
        return request.optionalPlatforms().stream().anyMatch(platform::matches);
    }

    /** An index source contributes its platform entries (checked one by one) and their attestations. */
    private List<Resolved> resolveIndex(SourceSpec spec, ImageReference repo, ImageIndex index, RawManifest raw) {
        List<Resolved> images = new ArrayList<>();
        List<Descriptor> attestations = new ArrayList<>();
        for (Descriptor entry : index.manifests()) {
            if (entry.isAttestation() && entry.attestedDigest().isPresent()) {
                attestations.add(entry);
                continue;
            }
            if (entry.mediaType().isIndex()) {
                throw new InvalidInputException("source " + spec.origin() + " (" + raw.digest() + ") nests an index ("
                        + entry.digest() + "); give the inner index as a source instead");
            }
            if (spec.claimedPlatform() != null
                    && (entry.platform() == null || !spec.claimedPlatform().matches(entry.platform()))) {
                continue; // a claimed platform selects one entry out of an index
            }
            ImageReference childRef = repo.withDigest(entry.digest());
            RawManifest childRaw = client.fetchManifest(childRef);
            if (!(childRaw.parsed() instanceof ImageManifest manifest)) {
                throw new VerificationException("entry " + entry.digest() + " of " + spec.origin()
                        + " is not an image manifest");
            }
            Platform platform = readPlatform(repo, manifest, childRef);
            if (entry.platform() == null || !entry.platform().matches(platform)) {
                throw new VerificationException("source " + spec.origin() + ": its index says " + entry.digest()
                        + " is " + entry.platform() + " but the image config says " + platform
                        + "; the source index is mislabelled, rebuild it");
            }
            listener.info("verified " + childRef + " is " + platform + " (from index " + spec.reference() + ")");
            images.add(new Resolved(spec, repo, spec.origin(), childRaw, manifest, platform,
                    entry.annotations(), null));
        }
        if (images.isEmpty()) {
            throw new VerificationException("source " + spec.origin() + " is an index with no "
                    + (spec.claimedPlatform() == null ? "image" : spec.claimedPlatform().toString()) + " entry");
        }
        List<Resolved> result = new ArrayList<>(images);
        for (Descriptor entry : attestations) {
            Digest subject = entry.attestedDigest().orElseThrow();
            if (images.stream().noneMatch(r -> r.raw.digest().equals(subject))) {
                continue; // kept only with the image it describes
            }
            RawManifest att = client.fetchManifest(repo.withDigest(entry.digest()));
            ImageManifest manifest = att.parsed() instanceof ImageManifest m ? m : null;
            if (manifest == null) {
                throw new VerificationException("attestation " + entry.digest() + " of " + spec.origin()
                        + " is not a manifest");
            }
            result.add(new Resolved(spec, repo, spec.origin(), att, manifest, entry.platform(),
                    entry.annotations(), subject));
        }
        return result;
    }

    private Platform readPlatform(ImageReference repo, ImageManifest manifest, ImageReference what) {
        Descriptor config = manifest.config();
        byte[] bytes = client.fetchBlob(repo, config.digest(), MAX_CONFIG_BYTES);
        try {
            return ManifestCodec.parseConfig(bytes).platform();
        } catch (InvalidInputException e) {
            throw new VerificationException(what + ": its image config " + config.digest()
                    + " names no valid os/architecture, so its platform cannot be verified: " + e.getMessage(), e);
        }
    }

    private List<Resolved> checkPlatforms(PublishRequest request, List<Resolved> all, List<Platform> missingOptional) {
        List<Resolved> images = all.stream().filter(r -> r.attestationFor == null).toList();
        for (int i = 0; i < images.size(); i++) {
            for (int j = i + 1; j < images.size(); j++) {
                Resolved a = images.get(i);
                Resolved b = images.get(j);
                if (a.platform.matches(b.platform)) {
                    throw new VerificationException("platform " + a.platform.normalize() + " is given twice: by "
                            + a.origin + " (" + a.raw.digest() + ") and by " + b.origin + " (" + b.raw.digest()
                            + "); keep one of them");
                }
            }
        }
        for (Platform required : request.requiredPlatforms()) {
            if (images.stream().noneMatch(r -> r.platform.matches(required))) {
                throw new VerificationException("required platform " + required + " is missing: the sources give "
                        + images.stream().map(r -> r.platform.normalize().toString()).toList()
                        + "; build and push it, or stop requiring it");
            }
        }
        for (Platform optional : request.optionalPlatforms()) {
            if (images.stream().noneMatch(r -> r.platform.matches(optional))) {
                missingOptional.add(optional);
                listener.warn("optional platform " + optional + " is missing and left out of the list");
            }
        }
        return all;
    }

    /** Deterministic: images sorted by platform, each image's attestation after all images, in the same order. */
    private static List<Resolved> order(List<Resolved> all) {
        List<Resolved> images = all.stream().filter(r -> r.attestationFor == null)
                .sorted(Comparator.comparing((Resolved r) -> r.platform.normalize())
                        .thenComparing(r -> r.raw.digest()))
                .toList();
        List<Resolved> ordered = new ArrayList<>(images);
        for (Resolved image : images) {
            all.stream().filter(r -> image.raw.digest().equals(r.attestationFor)).forEach(ordered::add);
        }
        return ordered;
    }

    private ListFormat chooseFormat(PublishRequest request, List<Resolved> ordered) {
        boolean allDocker = ordered.stream().allMatch(r -> MediaType.DOCKER_MANIFEST.equals(r.raw.mediaType()));
        switch (request.format()) {
            case DOCKER:
                if (!allDocker) {
                    Resolved oci = ordered.stream()
                            .filter(r -> !MediaType.DOCKER_MANIFEST.equals(r.raw.mediaType())).findFirst().orElseThrow();
                    throw new InvalidInputException("format docker needs Docker v2 children, but " + oci.origin + " ("
                            + oci.platform + ") is " + oci.raw.mediaType().value() + "; use format oci or auto");
                }
                return ListFormat.DOCKER;
            case OCI:
                return ListFormat.OCI;
            default:
                return allDocker && request.annotations().isEmpty() ? ListFormat.DOCKER : ListFormat.OCI;
        }
    }

    // ---- 2. children into the target repository -----------------------------------------------

    private Transfer bringIntoTarget(ImageReference target, Resolved r, boolean dryRun) {
        if (r.source.repository().equals(target.repository()) && r.source.registry().equals(target.registry())) {
            return Transfer.PRESENT;
        }
        if (!r.source.registry().equals(target.registry())) {
            throw new InvalidInputException("source " + r.origin + " is on registry " + r.source.registry()
                    + " but the target " + target + " is on " + target.registry()
                    + "; copying across registries is not supported: push the image to " + target.registry() + " first");
        }
        ImageReference byDigest = target.withDigest(r.raw.digest());
        if (client.headManifest(byDigest).isPresent()) {
            return Transfer.PRESENT;
        }
        if (dryRun) {
            return Transfer.PLANNED;
        }
        boolean copied = false;
        List<Descriptor> blobs = new ArrayList<>();
        blobs.add(r.manifest.config());
        blobs.addAll(r.manifest.layers());
        for (Descriptor blob : blobs) {
            if (blob.urls() != null && !blob.urls().isEmpty()) {
                // Foreign layers live elsewhere by design and are never fetched (CVE-2020-15157).
                continue;
            }
            if (client.blobExists(target, blob.digest())) {
                continue;
            }
            copied |= !client.mountBlob(target, r.source, blob);
        }
        Digest put = client.putManifest(byDigest, r.raw);
        if (!put.equals(r.raw.digest())) {
            throw new VerificationException("registry stored " + r.origin + " in " + target + " as " + put
                    + " instead of " + r.raw.digest());
        }
        listener.info((copied ? "copied " : "mounted ") + r.source.withDigest(r.raw.digest()) + " into " + target);
        return copied ? Transfer.COPIED : Transfer.MOUNTED;
    }

    // ---- 3. the list and its tags ---------------------------------------------------------------

    private static RawManifest buildList(ListFormat format, List<Resolved> ordered, Map<String, String> annotations) {
        MediaType listType = format == ListFormat.DOCKER ? MediaType.DOCKER_MANIFEST_LIST : MediaType.OCI_INDEX;
        List<Descriptor> entries = new ArrayList<>();
        for (Resolved r : ordered) {
            Map<String, String> entryAnnotations = format == ListFormat.DOCKER ? Map.of() : r.annotations;
            entries.add(new Descriptor(r.raw.mediaType(), r.raw.digest(), r.raw.bytes().length, r.platform,
                    new LinkedHashMap<>(entryAnnotations), List.of(), null));
        }
        ImageIndex index = new ImageIndex(listType, entries,
                format == ListFormat.DOCKER ? Map.of() : new LinkedHashMap<>(annotations));
        byte[] bytes = ManifestCodec.serialize(index);
        return new RawManifest(bytes, listType, Digest.sha256(bytes));
    }

    private RawManifest pushTags(ImageReference target, PublishRequest request, List<Resolved> ordered,
                                 RawManifest list, List<TagOutcome> outcomes, List<String> notes) {
        boolean first = true;
        for (String tag : request.tags()) {
            ImageReference tagged = target.withTag(tag);
            Optional<Descriptor> existing = client.headManifest(tagged);
            if (existing.isPresent() && existing.get().digest().equals(list.digest())) {
                outcomes.add(new TagOutcome(tag, TagOutcome.Status.UNCHANGED, existing.get().digest()));
                listener.info(tagged + " already is " + list.digest() + ": not written again");
                first = false;
                continue;
            }
            try {
                client.putManifest(tagged, list);
            } catch (RegistryException e) {
                if (!first || !rejectedIndex(e) || !canFallBackToDocker(ordered)) {
                    throw e;
                }
                // Quay and old Artifactory refuse OCI indexes; every child is Docker v2, so a Docker list is equivalent.
                list = buildList(ListFormat.DOCKER, ordered, Map.of());
                notes.add("the registry rejected the OCI index (HTTP " + e.statusCode() + "); published a Docker "
                        + "manifest list " + list.digest() + " instead"
                        + (request.annotations().isEmpty() ? "" : ", without the index annotations"));
                return pushTags(target, request, ordered, list, outcomes, notes);
            }
            outcomes.add(new TagOutcome(tag, existing.isPresent() ? TagOutcome.Status.UPDATED
                    : TagOutcome.Status.CREATED, existing.map(Descriptor::digest).orElse(null)));
            listener.info("pushed " + tagged + " -> " + list.digest());
            first = false;
        }
        return list;
    }

    private static boolean rejectedIndex(RegistryException e) {
        return e.statusCode() == 400 || e.statusCode() == 415;
    }

    private static boolean canFallBackToDocker(List<Resolved> ordered) {
        return ordered.stream().allMatch(r -> MediaType.DOCKER_MANIFEST.equals(r.raw.mediaType()));
    }
}
