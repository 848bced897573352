package io.jenkins.plugins.multiarch.publish;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageIndex;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import io.jenkins.plugins.multiarch.manifest.Manifest;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Stage 1 of a publish: resolve every source (its manifest, its platform read from its image config, an index's
 * entries one by one with their attestations), then check the platforms together (none twice, every required
 * one present, the missing optional ones noted) and put the entries in their deterministic order.
 */
final class SourceResolver {

    /** The layer media type of an in-toto statement (BuildKit's attestation storage). */
    private static final String IN_TOTO = "application/vnd.in-toto+json";

    private final RegistryClient client;
    private final LogListener listener;

    SourceResolver(RegistryClient client, LogListener listener) {
        this.client = client;
        this.listener = listener;
    }

    /** Every source's entries, in the order of the sources. */
    List<ResolvedChild> resolveAll(PublishTasks tasks, PublishRequest request, List<String> notes) {
        List<ResolvedChild> resolved = new ArrayList<>();
        tasks.inParallel(request.sources(), spec -> resolveSource(spec, request, notes))
                .forEach(resolved::addAll);
        return resolved;
    }

    private List<ResolvedChild> resolveSource(SourceSpec spec, PublishRequest request, List<String> notes) {
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
        return resolveFetched(spec, raw);
    }

    /** The entries of a fetched source: the image itself, or an index's entries. */
    List<ResolvedChild> resolveFetched(SourceSpec spec, RawManifest raw) {
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
            ResolvedChild image = new ResolvedChild(repo, spec.origin(), raw, manifest, platform, Map.of(), null);
            if (spec.attested().isEmpty()) {
                return List.of(image);
            }
            return List.of(
                    image,
                    attestationOf(spec, repo, raw.digest(), spec.attested().get()));
        }
        return resolveIndex(spec, repo, (ImageIndex) parsed, raw);
    }

    /**
     * The attestation manifest a source names (a build's provenance), as the entry BuildKit's attestation storage
     * gives it: platform unknown/unknown, the reference type and the digest of the image it describes. It must be
     * an image manifest of in-toto layers in the image's repository: anything else is not an attestation.
     */
    private ResolvedChild attestationOf(SourceSpec spec, ImageReference repo, Digest image, Digest attestation) {
        RawManifest raw;
        try {
            raw = client.fetchManifest(repo.withDigest(attestation));
        } catch (RegistryException e) {
            if (e.statusCode() == 404) {
                throw new VerificationException(
                        "source " + spec.origin() + ": its attestation manifest "
                                + attestation + " does not exist in " + repo
                                + "; rebuild the image (which pushes it), or"
                                + " publish without it (provenance off)",
                        e);
            }
            throw e;
        }
        if (!(raw.parsed() instanceof ImageManifest manifest)
                || manifest.layers().isEmpty()
                || manifest.layers().stream()
                        .anyMatch(l -> !IN_TOTO.equals(l.mediaType().value()))) {
            throw new VerificationException("source " + spec.origin() + ": " + repo.withDigest(attestation)
                    + " is not an attestation manifest (an image manifest whose layers are " + IN_TOTO
                    + " statements); check the record that names it");
        }
        Map<String, String> annotations = Map.of(
                Descriptor.ANNOTATION_REFERENCE_TYPE,
                Descriptor.REFERENCE_TYPE_ATTESTATION,
                Descriptor.ANNOTATION_REFERENCE_DIGEST,
                image.toString());
        return new ResolvedChild(repo, spec.origin(), raw, manifest, Platform.UNKNOWN, annotations, image);
    }

    private static boolean isOptional(PublishRequest request, Platform platform) {
        return request.optionalPlatforms().stream().anyMatch(platform::matches);
    }

    /** An index source contributes its platform entries (checked one by one) and their attestations. */
    private List<ResolvedChild> resolveIndex(SourceSpec spec, ImageReference repo, ImageIndex index, RawManifest raw) {
        List<ResolvedChild> images = new ArrayList<>();
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
            images.add(new ResolvedChild(repo, spec.origin(), childRaw, manifest, platform, entry.annotations(), null));
        }
        if (images.isEmpty()) {
            throw new VerificationException("source " + spec.origin() + " is an index with no "
                    + (spec.claimedPlatform() == null
                            ? "image"
                            : spec.claimedPlatform().toString()) + " entry");
        }
        List<ResolvedChild> result = new ArrayList<>(images);
        for (Descriptor entry : attestations) {
            Digest subject = entry.attestedDigest().orElseThrow();
            if (images.stream().noneMatch(r -> r.digest().equals(subject))) {
                continue; // kept only with the image it describes
            }
            RawManifest att = client.fetchManifest(repo.withDigest(entry.digest()));
            ImageManifest manifest = att.parsed() instanceof ImageManifest m ? m : null;
            if (manifest == null) {
                throw new VerificationException(
                        "attestation " + entry.digest() + " of " + spec.origin() + " is not a manifest");
            }
            result.add(new ResolvedChild(
                    repo, spec.origin(), att, manifest, entry.platform(), entry.annotations(), subject));
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

    void checkPlatforms(PublishRequest request, List<ResolvedChild> all, List<Platform> missingOptional) {
        List<ResolvedChild> images =
                all.stream().filter(r -> !r.isAttestation()).toList();
        for (int i = 0; i < images.size(); i++) {
            for (int j = i + 1; j < images.size(); j++) {
                ResolvedChild a = images.get(i);
                ResolvedChild b = images.get(j);
                if (a.platform().matches(b.platform())) {
                    throw new VerificationException("platform " + a.platform().normalize() + " is given twice: by "
                            + a.origin() + " (" + a.digest() + ") and by " + b.origin() + " (" + b.digest()
                            + "); keep one of them");
                }
            }
        }
        for (Platform required : request.requiredPlatforms()) {
            if (images.stream().noneMatch(r -> r.platform().matches(required))) {
                throw new VerificationException("required platform " + required + " is missing: the sources give "
                        + images.stream()
                                .map(r -> r.platform().normalize().toString())
                                .toList()
                        + "; build and push it, or stop requiring it");
            }
        }
        for (Platform optional : request.optionalPlatforms()) {
            if (images.stream().noneMatch(r -> r.platform().matches(optional))) {
                missingOptional.add(optional);
                listener.warn("optional platform " + optional + " is missing and left out of the list");
            }
        }
    }

    /** Deterministic: images sorted by platform, each image's attestation after all images, in the same order. */
    static List<ResolvedChild> order(List<ResolvedChild> all) {
        List<ResolvedChild> images = all.stream()
                .filter(r -> !r.isAttestation())
                .sorted(Comparator.comparing((ResolvedChild r) -> r.platform().normalize())
                        .thenComparing(ResolvedChild::digest))
                .toList();
        return withAttestations(images, all);
    }

    /** {@code images} in their order, then the attestations in {@code all} of each of them, in the same order. */
    static List<ResolvedChild> withAttestations(List<ResolvedChild> images, List<ResolvedChild> all) {
        List<ResolvedChild> ordered = new ArrayList<>(images);
        for (ResolvedChild image : images) {
            all.stream().filter(r -> r.describes(image)).forEach(ordered::add);
        }
        return ordered;
    }
}
