package io.jenkins.plugins.multiarch.publish;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.publish.PublishResult.Transfer;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stage 2 of a publish: make every child present in the target repository, so that the list never points at
 * something missing there.
 */
final class ChildTransfer {

    private final RegistryClient client;
    private final LogListener listener;

    ChildTransfer(RegistryClient client, LogListener listener) {
        this.client = client;
        this.listener = listener;
    }

    /**
     * Makes every child present in the target repository in two parallel steps: every blob the children need is
     * mounted from its source repository (a blob shared by several children once; the registry answers a mount
     * of a blob it already has with 201, so no HEAD first), then every child's manifest is put by digest
     * (idempotent), only once all blobs are in. Children already in the target repository need neither. So it
     * costs two round trips whatever the number of children and blobs, and no task waits for another.
     */
    List<Transfer> bringIntoTarget(
            ImageReference target, List<ResolvedChild> ordered, boolean dryRun, PublishTasks tasks) {
        List<ResolvedChild> elsewhere =
                ordered.stream().filter(r -> !inTarget(target, r)).toList();
        Map<ResolvedChild, Transfer> transfers = new IdentityHashMap<>();
        if (dryRun) {
            List<Boolean> present = tasks.inParallel(
                    elsewhere,
                    r -> client.headManifest(target.withDigest(r.digest())).isPresent());
            for (int i = 0; i < elsewhere.size(); i++) {
                transfers.put(elsewhere.get(i), present.get(i) ? Transfer.PRESENT : Transfer.PLANNED);
            }
        } else {
            Map<Digest, BlobSource> blobs = new LinkedHashMap<>();
            for (ResolvedChild r : elsewhere) {
                for (Descriptor blob : blobsOf(r)) {
                    blobs.putIfAbsent(blob.digest(), new BlobSource(r.source(), blob));
                }
            }
            List<BlobSource> unique = new ArrayList<>(blobs.values());
            List<Boolean> mounted = tasks.inParallel(unique, b -> client.mountBlob(target, b.source, b.blob));
            Set<Digest> copied = new HashSet<>();
            for (int i = 0; i < unique.size(); i++) {
                if (!mounted.get(i)) {
                    copied.add(unique.get(i).blob.digest());
                }
            }
            List<Transfer> put = tasks.inParallel(elsewhere, r -> {
                client.putManifest(target.withDigest(r.digest()), r.raw()); // the client checks the digest
                boolean anyCopied = blobsOf(r).stream().anyMatch(b -> copied.contains(b.digest()));
                listener.info(
                        (anyCopied ? "copied " : "mounted ") + r.source().withDigest(r.digest()) + " into " + target);
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

    private static boolean inTarget(ImageReference target, ResolvedChild r) {
        return r.source().repository().equals(target.repository())
                && r.source().registry().equals(target.registry());
    }

    /** The blobs a child's manifest needs in the target: config and layers, not foreign layers. */
    private static List<Descriptor> blobsOf(ResolvedChild r) {
        List<Descriptor> blobs = new ArrayList<>();
        blobs.add(r.manifest().config());
        for (Descriptor layer : r.manifest().layers()) {
            // Foreign layers live elsewhere by design and are never fetched (CVE-2020-15157).
            if (layer.urls() == null || layer.urls().isEmpty()) {
                blobs.add(layer);
            }
        }
        return blobs;
    }

    /** A blob to mount, and the repository it is mounted from (the first child that has it). */
    private record BlobSource(ImageReference source, Descriptor blob) {}
}
