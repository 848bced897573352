package io.jenkins.plugins.multiarch.copy;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.registry.BlobTransfer;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Copies a verified list (or a single image) with everything it refers to, to one or more repositories on any
 * registries, keeping every digest: manifests are written as the exact bytes read from the source.
 *
 * <p>Per destination, in an order that never leaves a tag pointing at something missing: every blob (HEAD first,
 * a mount within one registry, else streamed from the source and verified while it streams), then every child
 * manifest by digest (images, then nested lists), then the list under the first tag, the digest the registry
 * answers checked against the source's, then the other tags. A destination whose tags all hold the digest is
 * left alone (a re-run is cheap and safe). A destination that fails gets no tag it did not hold and the others
 * go on; the result says what happened at each.
 *
 * <p>The source is read once and pinned by digest. One {@link RegistryClient} talks to every registry: its
 * credentials source answers per registry host, so source and destinations each use their own, and a token or
 * password never goes to another host (the client's rule, redirects included).
 */
public final class Copier {

    /**
     * The threads every copy in this JVM shares (a controller runs many builds); one copy uses at most
     * {@link CopyRequest#parallelBlobs()} of them at once per destination.
     */
    private static final int THREADS = 32;

    private static final ThreadPoolExecutor POOL = pool();

    private final RegistryClient client;
    private final LogListener listener;

    public Copier(RegistryClient client, LogListener listener) {
        this.client = Objects.requireNonNull(client, "client");
        this.listener = listener == null ? LogListener.NONE : listener;
    }

    /**
     * Runs the copy. The source is read first: a source that cannot be read or is not what it claims throws (its
     * exit code says why) before anything is written anywhere. After that, failures are per destination.
     */
    public CopyResult copy(CopyRequest request) {
        int requestsBefore = client.requestCount();
        SourceTree tree = SourceTree.read(
                client, request.source(), refs -> inParallel(refs, request.parallelBlobs(), client::fetchManifest));
        listener.info("copying " + request.source() + " (" + tree.root().digest() + ", " + tree.manifestCount()
                + " manifests, " + tree.blobs().size() + " blobs, " + tree.blobBytes() + " bytes) to "
                + request.targets().size() + " destination(s)");
        List<DestinationResult> results = new ArrayList<>();
        for (CopyTarget target : request.targets()) {
            results.add(copyTo(tree, target, request.parallelBlobs()));
        }
        return new CopyResult(
                request.source(),
                tree.root().digest(),
                tree.root().mediaType(),
                tree.manifestCount(),
                tree.blobs().size(),
                tree.blobBytes(),
                results,
                client.requestCount() - requestsBefore);
    }

    private DestinationResult copyTo(SourceTree tree, CopyTarget target, int parallel) {
        ImageReference repository = target.repository();
        List<String> tags = target.tagsFor(tree.source());
        RawManifest root = tree.root();
        Progress progress = new Progress();
        try {
            // Where each tag points now: all at the digest already means nothing to do.
            List<String> toWrite = new ArrayList<>();
            List<String> unchanged = new ArrayList<>();
            for (String tag : tags) {
                Optional<Digest> now = client.headDigest(repository.withTag(tag));
                if (now.isPresent() && now.get().equals(root.digest())) {
                    unchanged.add(tag);
                } else {
                    toWrite.add(tag);
                }
            }
            boolean byDigestOnly = tags.isEmpty();
            if (!byDigestOnly && toWrite.isEmpty()) {
                listener.info(repository + ": every tag (" + String.join(", ", tags) + ") already is " + root.digest()
                        + "; nothing copied");
                return progress.result(repository, DestinationResult.Outcome.UNCHANGED, List.of(), unchanged);
            }
            if (byDigestOnly
                    && client.headManifest(repository.withDigest(root.digest())).isPresent()) {
                listener.info(repository + " already has " + root.digest() + "; nothing copied");
                return progress.result(repository, DestinationResult.Outcome.UNCHANGED, List.of(), List.of());
            }
            ImageReference sourceRepository = tree.source().withoutTagOrDigest();
            inParallel(tree.blobs(), parallel, blob -> {
                progress.count(client.copyBlob(sourceRepository, repository, blob), blob);
                return null;
            });
            // children by digest, everything a manifest refers to before it; images (the many) in parallel
            List<RawManifest> images = tree.children().stream()
                    .filter(m -> !m.mediaType().isIndex())
                    .toList();
            inParallel(images, parallel, m -> putManifest(repository.withDigest(m.digest()), m, progress));
            tree.children().stream()
                    .filter(m -> m.mediaType().isIndex())
                    .forEach(m -> putManifest(repository.withDigest(m.digest()), m, progress));
            List<String> written = new ArrayList<>();
            if (byDigestOnly) {
                putManifest(repository.withDigest(root.digest()), root, progress);
            } else {
                // the first tag alone (the client checks the digest the registry answers), then the others
                putManifest(repository.withTag(toWrite.get(0)), root, progress);
                written.add(toWrite.get(0));
                List<String> rest = toWrite.subList(1, toWrite.size());
                inParallel(rest, parallel, tag -> putManifest(repository.withTag(tag), root, progress));
                written.addAll(rest);
            }
            listener.info("copied " + root.digest() + " to " + repository
                    + (written.isEmpty() ? " (by digest)" : " under " + String.join(", ", written)) + ": "
                    + progress.summary());
            return progress.result(repository, DestinationResult.Outcome.COPIED, written, unchanged);
        } catch (MultiarchException e) {
            listener.warn("copy to " + repository + " failed: " + e.getMessage());
            return progress.failed(repository, e.getMessage(), e.exitCode());
        }
    }

    /**
     * Writes exact bytes; the client checks that the digest the registry answers is the source's. A registry that
     * refuses an OCI manifest kind (Quay and old Artifactory refuse the OCI index) gets a message that says why a
     * copy cannot do what the publisher does there: the publisher may fall back to a Docker list it builds itself,
     * but a copy keeps the digest, so it cannot.
     */
    private Digest putManifest(ImageReference reference, RawManifest manifest, Progress progress) {
        Digest stored;
        try {
            stored = client.putManifest(reference, manifest);
        } catch (RegistryException e) {
            if (manifest.mediaType().isOci() && refusesManifestKind(e)) {
                throw refusedOci(e, reference, manifest);
            }
            throw e;
        }
        progress.manifests.incrementAndGet();
        return stored;
    }

    static RegistryException refusedOci(RegistryException e, ImageReference reference, RawManifest manifest) {
        String kind = manifest.mediaType().isIndex() ? "the OCI image index" : "OCI image manifests";
        return new RegistryException(
                reference.registry() + " refuses " + kind + " (HTTP " + e.statusCode() + " to " + reference
                        + "). A copy keeps every digest identical, so it cannot turn "
                        + (manifest.mediaType().isIndex()
                                ? "the list into a Docker manifest list"
                                : "them into Docker manifests")
                        + ": that would be new content with another digest than " + manifest.digest()
                        + ". No tag was moved there. To publish there anyway, build a new list from the per-platform"
                        + " images with `multiarch push-manifest-list --format docker` (its digest differs). ("
                        + e.getMessage() + ")",
                e.statusCode(),
                e.errorCodes(),
                e);
    }

    /** 415, or 400 with MANIFEST_INVALID/UNSUPPORTED: the publisher's rule for "does not take this kind". */
    private static boolean refusesManifestKind(RegistryException e) {
        return e.statusCode() == 415
                || (e.statusCode() == 400
                        && e.errorCodes().stream()
                                .anyMatch(c -> c.equals("MANIFEST_INVALID") || c.equals("UNSUPPORTED")));
    }

    /** Counters of one destination, updated by the parallel tasks. */
    private static final class Progress {
        final AtomicInteger copied = new AtomicInteger();
        final AtomicInteger mounted = new AtomicInteger();
        final AtomicInteger skipped = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
        final AtomicInteger manifests = new AtomicInteger();

        void count(BlobTransfer transfer, Descriptor blob) {
            switch (transfer) {
                case COPIED -> {
                    copied.incrementAndGet();
                    bytes.addAndGet(blob.size());
                }
                case MOUNTED -> mounted.incrementAndGet();
                case PRESENT -> skipped.incrementAndGet();
            }
        }

        String summary() {
            return copied + " blob(s) copied (" + bytes + " bytes), " + mounted + " mounted, " + skipped
                    + " already there, " + manifests + " manifest(s) written";
        }

        DestinationResult result(
                ImageReference repository,
                DestinationResult.Outcome outcome,
                List<String> written,
                List<String> unchanged) {
            return new DestinationResult(
                    repository,
                    outcome,
                    written,
                    unchanged,
                    copied.get(),
                    mounted.get(),
                    skipped.get(),
                    bytes.get(),
                    manifests.get(),
                    null,
                    0);
        }

        DestinationResult failed(ImageReference repository, String error, int exitCode) {
            return new DestinationResult(
                    repository,
                    DestinationResult.Outcome.FAILED,
                    List.of(),
                    List.of(),
                    copied.get(),
                    mounted.get(),
                    skipped.get(),
                    bytes.get(),
                    manifests.get(),
                    error,
                    exitCode);
        }
    }

    // ---- bounded parallel work on the shared pool -------------------------------------------------------------

    /** Daemon threads, made on demand up to {@value #THREADS} and gone after a minute idle. */
    private static ThreadPoolExecutor pool() {
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "multiarch-copy");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * Runs {@code work} on every item with at most {@code bound} at once: that many workers take items in turn
     * (a worker never waits for another, so a full pool cannot deadlock). Results in input order. The first
     * failure stops the workers (items not yet started are not started) and is thrown once all have stopped.
     */
    private static <T, R> List<R> inParallel(List<T> items, int bound, Function<T, R> work) {
        if (items.size() <= 1) {
            return items.stream().map(work).toList();
        }
        List<R> results = new ArrayList<>(java.util.Collections.nCopies(items.size(), null));
        AtomicInteger nextItem = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        Callable<Void> worker = () -> {
            int i;
            while (!failed.get() && (i = nextItem.getAndIncrement()) < items.size()) {
                try {
                    R r = work.apply(items.get(i));
                    synchronized (results) {
                        results.set(i, r);
                    }
                } catch (RuntimeException | Error e) {
                    failed.set(true);
                    throw e;
                }
            }
            return null;
        };
        List<Future<Void>> workers = new ArrayList<>();
        for (int w = 0; w < Math.min(bound, items.size()); w++) {
            workers.add(POOL.submit(worker));
        }
        RuntimeException first = null;
        for (Future<Void> f : workers) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                workers.forEach(other -> other.cancel(true));
                throw new RegistryException("interrupted while copying", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                RuntimeException cause = e.getCause() instanceof RuntimeException re
                        ? re
                        : new RegistryException("copy failed: " + e.getCause(), e.getCause());
                if (first == null) {
                    first = cause;
                } else if (first != cause) {
                    first.addSuppressed(cause);
                }
            }
        }
        if (first != null) {
            throw first;
        }
        synchronized (results) {
            return new ArrayList<>(results);
        }
    }
}
