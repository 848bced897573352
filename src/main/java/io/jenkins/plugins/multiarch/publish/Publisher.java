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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Publishes one verified multi-platform list. This is what {@code pushManifestList} and
 * {@code multiarch push-manifest-list} run.
 *
 * <p>Order of work, chosen so that a failure never leaves a tag pointing at something missing or wrong:
 * resolve and verify every child (manifest and config, in parallel); build the list and look where each
 * tag points now (a re-publish whose tags all hold this list stops here); make every child present in the
 * target repository (mount, or copy within the registry); put the list under the first tag, the client
 * checking the digest the registry returns; only then move the other tags.
 */
public final class Publisher {

    /**
     * Children resolved (or brought into the target) at once per publish: enough to hide round trips, few
     * enough for any registry. The tags' HEADs run beside them (at most as many again).
     */
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
        for (SourceSpec spec : request.sources()) {
            if (!spec.reference().registry().equals(target.registry())) {
                throw new InvalidInputException("source " + spec.origin() + " is on registry "
                        + spec.reference().registry()
                        + " but the target " + target + " is on " + target.registry() + "; copying across registries "
                        + "is not supported: push the image to " + target.registry() + " first");
            }
        }

        ExecutorService pool = threads("multiarch-publish", MAX_PARALLEL);
        // The tags' HEADs get threads of their own: in the children's 8 they would hold the 7th and 8th child
        // back a round trip, and each child is two dependent requests already.
        ExecutorService tagPool =
                threads("multiarch-publish-tags", Math.min(request.tags().size(), MAX_PARALLEL));
        try {
            return publish(request, target, notes, requestsBefore, pool, tagPool);
        } finally {
            pool.shutdownNow();
            tagPool.shutdownNow();
        }
    }

    private static ExecutorService threads(String name, int count) {
        return Executors.newFixedThreadPool(Math.max(1, count), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    private PublishResult publish(
            PublishRequest request,
            ImageReference target,
            List<String> notes,
            int requestsBefore,
            ExecutorService pool,
            ExecutorService tagPool) {
        // Where each tag points now (read while the sources resolve: it does not depend on them). A re-publish
        // whose tags all hold the list has nothing left to do.
        Map<String, Future<Optional<Digest>>> heads = new LinkedHashMap<>();
        for (String tag : request.tags()) {
            heads.put(tag, tagPool.submit(() -> client.headDigest(target.withTag(tag))));
        }
        List<Resolved> resolved = new ArrayList<>();
        inParallel(pool, request.sources(), spec -> resolveSource(spec, request, notes))
                .forEach(resolved::addAll);
        List<Platform> missingOptional = new ArrayList<>();
        checkPlatforms(request, resolved, missingOptional);
        List<Resolved> ordered = order(resolved);
        ListFormat format = chooseFormat(request, ordered);
        RawManifest list = buildList(format, ordered, request.annotations());

        Map<String, Optional<Digest>> current = new LinkedHashMap<>();
        heads.forEach((tag, head) -> current.put(tag, await(head)));
        boolean unchanged = current.values().stream().allMatch(d -> holds(d, list));
        Map<Digest, CompletableFuture<Boolean>> blobsDone = new ConcurrentHashMap<>();
        List<Transfer> transfers = unchanged
                ? ordered.stream().map(r -> Transfer.PRESENT).toList()
                : inParallel(pool, ordered, r -> bringIntoTarget(target, r, request.dryRun(), blobsDone));

        List<TagOutcome> outcomes = new ArrayList<>();
        RawManifest published = list;
        if (request.dryRun()) {
            for (Map.Entry<String, Optional<Digest>> tag : current.entrySet()) {
                outcomes.add(new TagOutcome(
                        tag.getKey(),
                        holds(tag.getValue(), list) ? TagOutcome.Status.UNCHANGED : TagOutcome.Status.PLANNED,
                        tag.getValue().orElse(null)));
            }
            listener.info("dry run: would publish " + list.mediaType().value() + " " + list.digest() + " to " + target
                    + " under " + request.tags());
        } else {
            published = pushTags(target, request, ordered, list, current, outcomes, notes, pool);
        }
        List<Child> children = new ArrayList<>();
        for (int i = 0; i < ordered.size(); i++) {
            Resolved r = ordered.get(i);
            children.add(new Child(
                    r.platform,
                    r.raw.digest(),
                    r.raw.mediaType(),
                    r.raw.size(),
                    r.source,
                    r.origin,
                    transfers.get(i),
                    r.annotations,
                    r.attestationFor != null,
                    r.attestationFor));
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
                request.dryRun());
    }

    // ---- 1. resolve and verify ------------------------------------------------------------------

    /** One resolved list entry: exact manifest bytes, platform read from its config, where it came from. */
    private record Resolved(
            ImageReference source,
            String origin,
            RawManifest raw,
            ImageManifest manifest,
            Platform platform,
            Map<String, String> annotations,
            Digest attestationFor) {}

    /** Runs {@code work} on every item on the publish's pool; results in input order. */
    private static <T, R> List<R> inParallel(ExecutorService pool, List<T> items, Function<T, R> work) {
        if (items.size() <= 1) {
            return items.stream().map(work).toList();
        }
        List<Future<R>> futures = new ArrayList<>();
        for (T item : items) {
            futures.add(pool.submit(() -> work.apply(item)));
        }
        List<R> results = new ArrayList<>();
        for (Future<R> f : futures) {
            results.add(await(f));
        }
        return results;
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while talking to the registry", e);
        } catch (ExecutionException e) {
            // our exception family, and bugs (NPE ...) or errors, keep their own type: never masked as a registry
            // failure
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
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
                throw new VerificationException(
                        "source " + spec.origin() + ": " + spec.reference()
                                + " does not exist in the registry; build and push it first, or drop it from the sources",
                        e);
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
            listener.info(
                    "verified " + spec.reference().withoutTagOrDigest().withDigest(raw.digest()) + " is " + platform);
            return List.of(new Resolved(repo, spec.origin(), raw, manifest, platform, Map.of(), null));
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
                throw new VerificationException(
                        "entry " + entry.digest() + " of " + spec.origin() + " is not an image manifest");
            }
            Platform platform = readPlatform(repo, manifest, childRef);
            if (entry.platform() == null || !entry.platform().matches(platform)) {
                throw new VerificationException("source " + spec.origin() + ": its index says " + entry.digest()
                        + " is " + entry.platform() + " but the image config says " + platform
                        + "; the source index is mislabelled, rebuild it");
            }
            listener.info("verified " + childRef + " is " + platform + " (from index " + spec.reference() + ")");
            images.add(new Resolved(repo, spec.origin(), childRaw, manifest, platform, entry.annotations(), null));
        }
        if (images.isEmpty()) {
            throw new VerificationException("source " + spec.origin() + " is an index with no "
                    + (spec.claimedPlatform() == null
                            ? "image"
                            : spec.claimedPlatform().toString()) + " entry");
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
                throw new VerificationException(
                        "attestation " + entry.digest() + " of " + spec.origin() + " is not a manifest");
            }
            result.add(
                    new Resolved(repo, spec.origin(), att, manifest, entry.platform(), entry.annotations(), subject));
        }
        return result;
    }

    private Platform readPlatform(ImageReference repo, ImageManifest manifest, ImageReference what) {
        try {
            return client.fetchConfig(repo, manifest).platform();
        } catch (InvalidInputException e) {
            throw new VerificationException(
                    what + ": its image config " + manifest.config().digest()
                            + " names no valid os/architecture, so its platform cannot be verified: " + e.getMessage(),
                    e);
        }
    }

    private void checkPlatforms(PublishRequest request, List<Resolved> all, List<Platform> missingOptional) {
        List<Resolved> images =
                all.stream().filter(r -> r.attestationFor == null).toList();
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
                        + images.stream()
                                .map(r -> r.platform.normalize().toString())
                                .toList()
                        + "; build and push it, or stop requiring it");
            }
        }
        for (Platform optional : request.optionalPlatforms()) {
            if (images.stream().noneMatch(r -> r.platform.matches(optional))) {
                missingOptional.add(optional);
                listener.warn("optional platform " + optional + " is missing and left out of the list");
            }
        }
    }

    /** Deterministic: images sorted by platform, each image's attestation after all images, in the same order. */
    private static List<Resolved> order(List<Resolved> all) {
        List<Resolved> images = all.stream()
                .filter(r -> r.attestationFor == null)
                .sorted(Comparator.comparing((Resolved r) -> r.platform.normalize())
                        .thenComparing(r -> r.raw.digest()))
                .toList();
        List<Resolved> ordered = new ArrayList<>(images);
        for (Resolved image : images) {
            all.stream()
                    .filter(r -> image.raw.digest().equals(r.attestationFor))
                    .forEach(ordered::add);
        }
        return ordered;
    }

    private ListFormat chooseFormat(PublishRequest request, List<Resolved> ordered) {
        boolean allDocker = ordered.stream().allMatch(r -> MediaType.DOCKER_MANIFEST.equals(r.raw.mediaType()));
        switch (request.format()) {
            case DOCKER:
                if (!allDocker) {
                    Resolved oci = ordered.stream()
                            .filter(r -> !MediaType.DOCKER_MANIFEST.equals(r.raw.mediaType()))
                            .findFirst()
                            .orElseThrow();
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

    /**
     * Makes one child present in the target repository: each blob mounted from its source repository (the
     * registry answers a mount of a blob it already has with 201, so no HEAD first), shared blobs once per
     * publish, then the manifest put by digest (idempotent).
     */
    private Transfer bringIntoTarget(
            ImageReference target, Resolved r, boolean dryRun, Map<Digest, CompletableFuture<Boolean>> blobsDone) {
        if (r.source.repository().equals(target.repository())
                && r.source.registry().equals(target.registry())) {
            return Transfer.PRESENT;
        }
        ImageReference byDigest = target.withDigest(r.raw.digest());
        if (dryRun) {
            return client.headManifest(byDigest).isPresent() ? Transfer.PRESENT : Transfer.PLANNED;
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
            // A blob shared by several children is mounted once; the others wait until that mount is done,
            // never put their manifest while it is still under way.
            CompletableFuture<Boolean> mine = new CompletableFuture<>();
            CompletableFuture<Boolean> other = blobsDone.putIfAbsent(blob.digest(), mine);
            if (other == null) {
                try {
                    mine.complete(client.mountBlob(target, r.source, blob));
                } catch (RuntimeException | Error e) {
                    mine.completeExceptionally(e);
                    throw e;
                }
                copied |= !mine.join();
            } else {
                await(other);
            }
        }
        client.putManifest(byDigest, r.raw); // the client checks the digest the registry answers
        listener.info((copied ? "copied " : "mounted ") + r.source.withDigest(r.raw.digest()) + " into " + target);
        return copied ? Transfer.COPIED : Transfer.MOUNTED;
    }

    // ---- 3. the list and its tags ---------------------------------------------------------------

    private static RawManifest buildList(ListFormat format, List<Resolved> ordered, Map<String, String> annotations) {
        MediaType listType = format == ListFormat.DOCKER ? MediaType.DOCKER_MANIFEST_LIST : MediaType.OCI_INDEX;
        List<Descriptor> entries = new ArrayList<>();
        for (Resolved r : ordered) {
            Map<String, String> entryAnnotations = format == ListFormat.DOCKER ? Map.of() : r.annotations;
            entries.add(new Descriptor(
                    r.raw.mediaType(),
                    r.raw.digest(),
                    r.raw.size(),
                    r.platform,
                    new LinkedHashMap<>(entryAnnotations),
                    List.of(),
                    null));
        }
        ImageIndex index = new ImageIndex(
                listType, entries, format == ListFormat.DOCKER ? Map.of() : new LinkedHashMap<>(annotations));
        byte[] bytes = ManifestCodec.serialize(index);
        return new RawManifest(bytes, listType, Digest.sha256(bytes));
    }

    /**
     * Puts the list under every tag that does not hold it yet: the first one alone (the client checks the digest
     * the registry answers; a refused OCI index may turn into a Docker list here), then the others in parallel.
     */
    private RawManifest pushTags(
            ImageReference target,
            PublishRequest request,
            List<Resolved> ordered,
            RawManifest list,
            Map<String, Optional<Digest>> current,
            List<TagOutcome> outcomes,
            List<String> notes,
            ExecutorService pool) {
        List<String> toPut = new ArrayList<>();
        Map<String, TagOutcome> byTag = new LinkedHashMap<>();
        for (Map.Entry<String, Optional<Digest>> tag : current.entrySet()) {
            Optional<Digest> previous = tag.getValue();
            if (holds(previous, list)) {
                byTag.put(tag.getKey(), new TagOutcome(tag.getKey(), TagOutcome.Status.UNCHANGED, previous.get()));
                listener.info(target.withTag(tag.getKey()) + " already is " + list.digest() + ": not written again");
            } else {
                toPut.add(tag.getKey());
            }
        }
        if (!toPut.isEmpty()) {
            String first = toPut.get(0);
            try {
                byTag.put(first, putTag(target, first, list, current.get(first)));
            } catch (RegistryException e) {
                if (!refusesOciIndex(e) || list.mediaType().isDocker()) {
                    throw e;
                }
                if (request.format() != ListFormat.AUTO || !canFallBackToDocker(ordered)) {
                    throw new RegistryException(
                            e.getMessage() + " The registry refuses OCI image indexes: "
                                    + (canFallBackToDocker(ordered)
                                            ? "publish with format docker or auto."
                                            : "it cannot take this list (some children are OCI manifests)."),
                            e.statusCode(),
                            e.errorCodes(),
                            e);
                }
                // Quay and old Artifactory refuse OCI indexes; every child is Docker v2, so a Docker list is
                // equivalent.
                RawManifest docker = buildList(ListFormat.DOCKER, ordered, Map.of());
                notes.add("the registry rejected the OCI index (HTTP " + e.statusCode() + "); published a Docker "
                        + "manifest list " + docker.digest() + " instead"
                        + (request.annotations().isEmpty() ? "" : ", without the index annotations"));
                return pushTags(target, request, ordered, docker, current, outcomes, notes, pool);
            }
            List<String> rest = toPut.subList(1, toPut.size());
            List<TagOutcome> done = inParallel(pool, rest, tag -> putTag(target, tag, list, current.get(tag)));
            done.forEach(o -> byTag.put(o.tag(), o));
        }
        for (String tag : current.keySet()) {
            outcomes.add(byTag.get(tag));
        }
        return list;
    }

    /** Whether a tag that points at {@code current} already holds {@code list}. */
    private static boolean holds(Optional<Digest> current, RawManifest list) {
        return current.isPresent() && current.get().equals(list.digest());
    }

    private TagOutcome putTag(ImageReference target, String tag, RawManifest list, Optional<Digest> previous) {
        client.putManifest(target.withTag(tag), list);
        listener.info("pushed " + target.withTag(tag) + " -> " + list.digest());
        return new TagOutcome(
                tag,
                previous.isPresent() ? TagOutcome.Status.UPDATED : TagOutcome.Status.CREATED,
                previous.orElse(null));
    }

    /** 415, or 400 with MANIFEST_INVALID/UNSUPPORTED: the registry does not take this kind of manifest. */
    private static boolean refusesOciIndex(RegistryException e) {
        return e.statusCode() == 415
                || (e.statusCode() == 400
                        && e.errorCodes().stream()
                                .anyMatch(c -> c.equals("MANIFEST_INVALID") || c.equals("UNSUPPORTED")));
    }

    private static boolean canFallBackToDocker(List<Resolved> ordered) {
        return ordered.stream().allMatch(r -> MediaType.DOCKER_MANIFEST.equals(r.raw.mediaType()));
    }
}
