package io.jenkins.plugins.multiarch.publish;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageIndex;
import io.jenkins.plugins.multiarch.manifest.ManifestCodec;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.publish.PublishResult.TagOutcome;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stage 3 of a publish: the list itself. Chooses its format, writes it (deterministic bytes; entries kept from an
 * amended list byte for byte), and puts it under every tag: the first one alone, its digest checked, an OCI index
 * a registry refuses turned into a Docker list where that is equivalent, then the other tags.
 */
final class ListPusher {

    private final RegistryClient client;
    private final LogListener listener;

    ListPusher(RegistryClient client, LogListener listener) {
        this.client = client;
        this.listener = listener;
    }

    /**
     * The list's format. {@code amendedType} is the type of the list an amendment starts from (null otherwise):
     * an OCI index stays one under {@code auto}.
     */
    static ListFormat chooseFormat(
            PublishRequest request,
            List<ResolvedChild> ordered,
            Map<String, String> annotations,
            MediaType amendedType) {
        boolean allDocker = canFallBackToDocker(ordered);
        switch (request.format()) {
            case DOCKER:
                if (!allDocker) {
                    ResolvedChild oci = ordered.stream()
                            .filter(r ->
                                    !MediaType.DOCKER_MANIFEST.equals(r.raw().mediaType()))
                            .findFirst()
                            .orElseThrow();
                    if (oci.isAttestation()) {
                        throw new InvalidInputException("format docker cannot carry attestations, and "
                                + oci.origin() + " comes with one (" + oci.digest() + ", e.g. its provenance):"
                                + " use format oci or auto, or build with provenance off");
                    }
                    throw new InvalidInputException("format docker needs Docker v2 children, but " + oci.origin()
                            + " (" + oci.platform() + ") is "
                            + oci.raw().mediaType().value()
                            + "; use format oci or auto");
                }
                return ListFormat.DOCKER;
            case OCI:
                return ListFormat.OCI;
            default:
                if (MediaType.OCI_INDEX.equals(amendedType)) {
                    return ListFormat.OCI;
                }
                return allDocker && annotations.isEmpty() ? ListFormat.DOCKER : ListFormat.OCI;
        }
    }

    static RawManifest buildList(ListFormat format, List<ResolvedChild> ordered, Map<String, String> annotations) {
        MediaType listType = format == ListFormat.DOCKER ? MediaType.DOCKER_MANIFEST_LIST : MediaType.OCI_INDEX;
        List<Descriptor> entries = new ArrayList<>();
        List<byte[]> kept = new ArrayList<>();
        for (ResolvedChild r : ordered) {
            Map<String, String> entryAnnotations = format == ListFormat.DOCKER ? Map.of() : r.annotations();
            entries.add(new Descriptor(
                    r.raw().mediaType(),
                    r.digest(),
                    r.raw().size(),
                    r.platform(),
                    new LinkedHashMap<>(entryAnnotations),
                    List.of(),
                    null));
            kept.add(r.entryJson());
        }
        ImageIndex index = new ImageIndex(
                listType, entries, format == ListFormat.DOCKER ? Map.of() : new LinkedHashMap<>(annotations));
        byte[] bytes = ManifestCodec.serialize(index);
        if (kept.stream().anyMatch(k -> k != null)) {
            bytes = IndexEntries.splice(bytes, kept);
        }
        return new RawManifest(bytes, listType, Digest.sha256(bytes));
    }

    /**
     * Puts the list under every tag that does not hold it yet: the first one alone (the client checks the digest
     * the registry answers; a refused OCI index may turn into a Docker list here), then the others in parallel.
     */
    RawManifest pushTags(
            ImageReference target,
            PublishRequest request,
            List<ResolvedChild> ordered,
            Map<String, String> annotations,
            RawManifest list,
            Map<String, Optional<Digest>> current,
            List<TagOutcome> outcomes,
            List<String> notes,
            PublishTasks tasks) {
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
                        + (annotations.isEmpty() ? "" : ", without the index annotations"));
                return pushTags(target, request, ordered, annotations, docker, current, outcomes, notes, tasks);
            }
            List<String> rest = toPut.subList(1, toPut.size());
            List<TagOutcome> done = tasks.inParallel(rest, tag -> putTag(target, tag, list, current.get(tag)));
            done.forEach(o -> byTag.put(o.tag(), o));
        }
        for (String tag : current.keySet()) {
            outcomes.add(byTag.get(tag));
        }
        return list;
    }

    /** Whether a tag that points at {@code current} already holds {@code list}. */
    static boolean holds(Optional<Digest> current, RawManifest list) {
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

    private static boolean canFallBackToDocker(List<ResolvedChild> ordered) {
        return ordered.stream()
                .allMatch(r -> MediaType.DOCKER_MANIFEST.equals(r.raw().mediaType()));
    }
}
