package io.jenkins.plugins.multiarch.copy;

import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageIndex;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import io.jenkins.plugins.multiarch.manifest.Manifest;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Everything a copy of one list or image needs, read from the source: every manifest as exact bytes (the list,
 * its children, their attestations, nested lists), each verified against the digest it is referred to by, and
 * the distinct blobs (configs and layers; foreign layers are never fetched) they need.
 *
 * @param root      the list or image at the source reference
 * @param children  every other manifest, in the order they must be written: a manifest after everything it refers
 *                  to (images first, then lists, innermost first)
 * @param blobs     distinct by digest, in first-seen order
 */
record SourceTree(ImageReference source, RawManifest root, List<RawManifest> children, List<Descriptor> blobs) {

    /** Nested lists deeper than this are refused: a loop or a hostile source. */
    static final int MAX_DEPTH = 4;

    long blobBytes() {
        return blobs.stream().mapToLong(Descriptor::size).sum();
    }

    /** Manifests to write per destination, the root included. */
    int manifestCount() {
        return children.size() + 1;
    }

    /**
     * Reads the tree level by level; {@code fetchAll} reads one level's manifests by digest (in parallel, in the
     * caller's pool) and returns them in order.
     */
    static SourceTree read(
            RegistryClient client, ImageReference source, Function<List<ImageReference>, List<RawManifest>> fetchAll) {
        RawManifest root = client.fetchManifest(source);
        ImageReference repository = source.withoutTagOrDigest();
        Map<Digest, RawManifest> seen = new LinkedHashMap<>();
        seen.put(root.digest(), root);
        List<List<RawManifest>> levels = new ArrayList<>();
        List<RawManifest> level = List.of(root);
        Set<Descriptor> blobs = new LinkedHashSet<>();
        Map<Digest, Descriptor> blobByDigest = new LinkedHashMap<>();
        for (int depth = 0; !level.isEmpty(); depth++) {
            List<Descriptor> next = new ArrayList<>();
            for (RawManifest raw : level) {
                Manifest parsed = raw.parsed();
                if (parsed instanceof ImageIndex index) {
                    for (Descriptor entry : index.manifests()) {
                        if (!seen.containsKey(entry.digest())
                                && next.stream().noneMatch(d -> d.digest().equals(entry.digest()))) {
                            next.add(entry);
                        }
                    }
                } else if (parsed instanceof ImageManifest image) {
                    addBlob(blobByDigest, image.config());
                    for (Descriptor layer : image.layers()) {
                        // Foreign layers live elsewhere by design and are never fetched (CVE-2020-15157).
                        if (layer.urls().isEmpty()) {
                            addBlob(blobByDigest, layer);
                        }
                    }
                }
            }
            if (next.isEmpty()) {
                break;
            }
            if (depth + 1 > MAX_DEPTH) {
                throw new VerificationException("copy " + source + ": lists nested deeper than " + MAX_DEPTH
                        + " levels; that is no multi-platform image this tool copies");
            }
            List<ImageReference> refs =
                    next.stream().map(d -> repository.withDigest(d.digest())).toList();
            List<RawManifest> fetched = fetchAll.apply(refs);
            for (int i = 0; i < fetched.size(); i++) {
                RawManifest child = fetched.get(i);
                Descriptor entry = next.get(i);
                if (!child.mediaType().equals(entry.mediaType())) {
                    throw new VerificationException("copy " + source + ": the list says " + entry.digest() + " is "
                            + entry.mediaType().value() + " but the registry serves it as "
                            + child.mediaType().value() + "; the source list is inconsistent, publish it again");
                }
                if (child.size() != entry.size()) {
                    throw new VerificationException("copy " + source + ": the list says " + entry.digest() + " has "
                            + entry.size() + " bytes but it has " + child.size()
                            + "; the source list is inconsistent, publish it again");
                }
                seen.put(child.digest(), child);
            }
            levels.add(fetched);
            level = fetched;
        }
        blobs.addAll(blobByDigest.values());
        // images before lists, innermost lists first: everything a manifest refers to is written before it
        List<RawManifest> ordered = new ArrayList<>();
        for (List<RawManifest> l : levels) {
            l.stream().filter(m -> !m.mediaType().isIndex()).forEach(ordered::add);
        }
        for (int i = levels.size() - 1; i >= 0; i--) {
            levels.get(i).stream().filter(m -> m.mediaType().isIndex()).forEach(ordered::add);
        }
        return new SourceTree(source, root, ordered, List.copyOf(blobs));
    }

    private static void addBlob(Map<Digest, Descriptor> blobs, Descriptor blob) {
        blobs.putIfAbsent(blob.digest(), new Descriptor(blob.mediaType(), blob.digest(), blob.size()));
    }
}
