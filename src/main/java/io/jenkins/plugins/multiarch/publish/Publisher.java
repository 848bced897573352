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
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
     * The threads every publish in this JVM shares (a controller runs many at once), so their number is bounded
     * here, not by the number of publishes. A publish hands all its independent requests to them at once; how many
     * go to one registry at a time is the registry client's business (its per-registry limits: 8 at once over
     * HTTP/1.1, 100 streams on one HTTP/2 connection), so over HTTP/2 the reads of 32 children go together.
     */
    private static final int THREADS = 64;

    private static final ThreadPoolExecutor POOL = pool();

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

        try (Tasks tasks = new Tasks()) {
            return publish(request, target, notes, requestsBefore, tasks);
        }
    }

    /** Daemon threads, made on demand up to {@value #THREADS} and gone after a minute idle. */
    private static ThreadPoolExecutor pool() {
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "multiarch-publish");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * The tasks one publish put on the shared pool. None of them ever waits for another (so a full pool cannot
     * deadlock); whatever still runs when the publish ends (it failed) is cancelled.
     */
    private static final class Tasks implements AutoCloseable {
        private final List<Future<?>> started = new ArrayList<>();

        synchronized <T> Future<T> submit(Callable<T> task) {
            Future<T> f = POOL.submit(task);
            started.add(f);
            return f;
        }

        @Override
        public synchronized void close() {
            started.forEach(f -> f.cancel(true));
        }
    }

    private PublishResult publish(
            PublishRequest request, ImageReference target, List<String> notes, int requestsBefore, Tasks tasks) {
        // Where each tag points now (read while the sources resolve: it does not depend on them). A re-publish
        // whose tags all hold the list has nothing left to do.
        Map<String, Future<Optional<Digest>>> heads = new LinkedHashMap<>();
        for (String tag : request.tags()) {
            heads.put(tag, tasks.submit(() -> client.headDigest(target.withTag(tag))));
        }
        List<Resolved> resolved = new ArrayList<>();
        inParallel(tasks, request.sources(), spec -> resolveSource(spec, request, notes))
                .forEach(resolved::addAll);
        List<Platform> missingOptional = new ArrayList<>();
        checkPlatforms(request, resolved, missingOptional);
        List<Resolved> ordered = order(resolved);
        ListFormat format = chooseFormat(request, ordered);
        RawManifest list = buildList(format, ordered, request.annotations());

        Map<String, Optional<Digest>> current = new LinkedHashMap<>();
        heads.forEach((tag, head) -> current.put(tag, await(head)));
        boolean unchanged = current.values().stream().allMatch(d -> holds(d, list));
        List<Transfer> transfers = unchanged
                ? ordered.stream().map(r -> Transfer.PRESENT).toList()
                : bringIntoTarget(target, ordered, request.dryRun(), tasks);

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
            published = pushTags(target, request, ordered, list, current, outcomes, notes, tasks);
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
                    r.attestationFor,
                    imageSize(r.manifest)));
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

    /** Config plus layers, compressed: what a pull of this image transfers at most. */
    private static long imageSize(ImageManifest manifest) {
        if (manifest == null) {
            return -1;
        }
        return manifest.config().size()
                + manifest.layers().stream().mapToLong(Descriptor::size).sum();
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

    /** Runs {@code work} on every item on the shared pool; results in input order. */
    private static <T, R> List<R> inParallel(Tasks tasks, List<T> items, Function<T, R> work) {
        if (items.size() <= 1) {
            return items.stream().map(work).toList();
        }
        List<Future<R>> futures = new ArrayList<>();
        for (T item : items) {
            futures.add(tasks.submit(() -> work.apply(item)));
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
     * Makes every child present in the target repository in two parallel steps: every blob the children need is
     * mounted from its source repository (a blob shared by several children once; the registry answers a mount
     * of a blob it already has with 201, so no HEAD first), then every child's manifest is put by digest
     * (idempotent), only once all blobs are in. Children already in the target repository need neither. So it
     * costs two round trips whatever the number of children and blobs, and no task waits for another.
     */
    private List<Transfer> bringIntoTarget(ImageReference target, List<Resolved> ordered, boolean dryRun, Tasks tasks) {
        List<Resolved> elsewhere =
                ordered.stream().filter(r -> !inTarget(target, r)).toList();
        Map<Resolved, Transfer> transfers = new IdentityHashMap<>();
        if (dryRun) {
            List<Boolean> present = inParallel(
                    tasks,
                    elsewhere,
                    r -> client.headManifest(target.withDigest(r.raw.digest())).isPresent());
            for (int i = 0; i < elsewhere.size(); i++) {
                transfers.put(elsewhere.get(i), present.get(i) ? Transfer.PRESENT : Transfer.PLANNED);
            }
        } else {
            Map<Digest, BlobSource> blobs = new LinkedHashMap<>();
            for (Resolved r : elsewhere) {
                for (Descriptor blob : blobsOf(r)) {
                    blobs.putIfAbsent(blob.digest(), new BlobSource(r.source, blob));
                }
            }
            List<BlobSource> unique = new ArrayList<>(blobs.values());
            List<Boolean> mounted = inParallel(tasks, unique, b -> client.mountBlob(target, b.source, b.blob));
            Set<Digest> copied = new HashSet<>();
            for (int i = 0; i < unique.size(); i++) {
                if (!mounted.get(i)) {
                    copied.add(unique.get(i).blob.digest());
                }
            }
            List<Transfer> put = inParallel(tasks, elsewhere, r -> {
                client.putManifest(target.withDigest(r.raw.digest()), r.raw); // the client checks the digest
                boolean anyCopied = blobsOf(r).stream().anyMatch(b -> copied.contains(b.digest()));
                listener.info(
                        (anyCopied ? "copied " : "mounted ") + r.source.withDigest(r.raw.digest()) + " into " + target);
                return anyCopied ? Transfer.COPIED : Transfer.MOUNTED;
            });
            for (int i = 0; i < elsewhere.size(); i++) {
                transfers.put(elsewhere.get(i), put.get(i));
            }
        }
        return ordered.stream()
                .map(r -> transfers.getOrDefault(r, Transfer.PRESENT))
                .toList();
    }

    private static boolean inTarget(ImageReference target, Resolved r) {
        return r.source.repository().equals(target.repository())
                && r.source.registry().equals(target.registry());
    }

    /** The blobs a child's manifest needs in the target: config and layers, not foreign layers. */
    private static List<Descriptor> blobsOf(Resolved r) {
        List<Descriptor> blobs = new ArrayList<>();
        blobs.add(r.manifest.config());
        for (Descriptor layer : r.manifest.layers()) {
            // Foreign layers live elsewhere by design and are never fetched (CVE-2020-15157).
            if (layer.urls() == null || layer.urls().isEmpty()) {
                blobs.add(layer);
            }
        }
        return blobs;
    }

    /** A blob to mount, and the repository it is mounted from (the first child that has it). */
    private record BlobSource(ImageReference source, Descriptor blob) {}

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
            Tasks tasks) {
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
                return pushTags(target, request, ordered, docker, current, outcomes, notes, tasks);
            }
            List<String> rest = toPut.subList(1, toPut.size());
            List<TagOutcome> done = inParallel(tasks, rest, tag -> putTag(target, tag, list, current.get(tag)));
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
