package io.jenkins.plugins.multiarch.provenance;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A statement stored as BuildKit stores attestations (BuildKit's docs/attestations/attestation-storage.md): an OCI
 * image manifest whose one layer is the statement ({@code application/vnd.in-toto+json}, annotated with
 * {@code in-toto.io/predicate-type}) and whose config is the compatibility config
 * {@code {"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":[<layer>]}}};
 * and its entry in the image index: platform {@code unknown/unknown}, annotations
 * {@code vnd.docker.reference.type: attestation-manifest} and {@code vnd.docker.reference.digest: <child>}.
 *
 * <p>With {@code withSubject}, the manifest also names the child as its OCI 1.1 {@code subject}, so a registry with
 * the referrers API lists it among the child's referrers. Only where the registry has that API: the subject changes
 * the manifest's digest, and a registry without it ignores the field (distribution 2.8 stores it as it is).
 */
public final class AttestationManifest {

    /** The annotation BuildKit sets on each attestation layer: the statement's predicate type. */
    public static final String ANNOTATION_PREDICATE_TYPE = "in-toto.io/predicate-type";

    private final Descriptor child;
    private final byte[] layerBytes;
    private final Descriptor layer;
    private final byte[] configBytes;
    private final Descriptor config;
    private final RawManifest manifest;
    private final boolean withSubject;

    private AttestationManifest(Descriptor child, byte[] statement, boolean withSubject) {
        this.child = child;
        this.withSubject = withSubject;
        this.layerBytes = statement.clone();
        Digest layerDigest = Digest.sha256(layerBytes);
        this.layer = new Descriptor(
                MediaType.IN_TOTO,
                layerDigest,
                layerBytes.length,
                null,
                Map.of(ANNOTATION_PREDICATE_TYPE, ProvenanceStatement.PREDICATE_TYPE),
                List.of(),
                null);
        // the layer is not compressed, so its diff_id is its digest
        this.configBytes = CanonicalJson.write(g -> {
            g.writeStartObject();
            g.writeStringField("architecture", Platform.UNKNOWN.architecture());
            g.writeStringField("os", Platform.UNKNOWN.os());
            g.writeObjectFieldStart("config");
            g.writeEndObject();
            g.writeObjectFieldStart("rootfs");
            g.writeStringField("type", "layers");
            g.writeArrayFieldStart("diff_ids");
            g.writeString(layerDigest.toString());
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
        });
        this.config = new Descriptor(MediaType.OCI_CONFIG, Digest.sha256(configBytes), configBytes.length);
        Descriptor subject = withSubject ? new Descriptor(child.mediaType(), child.digest(), child.size()) : null;
        this.manifest = RawManifest.of(
                new ImageManifest(2, MediaType.OCI_MANIFEST, config, List.of(layer), subject, Map.of(), null));
    }

    /**
     * The attestation manifest of {@code statement} for {@code child}.
     *
     * @param child the child image's descriptor (media type, digest, size), as the index lists it
     * @param withSubject whether to set the OCI 1.1 {@code subject}: only where the registry has the referrers API
     * @throws InvalidInputException when the statement's subject is not the child
     */
    public static AttestationManifest of(ProvenanceStatement statement, Descriptor child, boolean withSubject) {
        Objects.requireNonNull(statement, "statement");
        Objects.requireNonNull(child, "child");
        if (!statement.subjectDigest().equals(child.digest())) {
            throw new InvalidInputException("the provenance statement is about " + statement.subjectDigest()
                    + " but the child is " + child.digest() + "; write the statement for the image it is attached to");
        }
        if (!child.mediaType().isImageManifest()) {
            throw new InvalidInputException("provenance is attached to image manifests, not to " + child.mediaType());
        }
        return new AttestationManifest(child, statement.bytes(), withSubject);
    }

    /** The child image this attests. */
    public Descriptor child() {
        return child;
    }

    /** The statement's bytes (the layer). */
    public byte[] layerBytes() {
        return layerBytes.clone();
    }

    public Descriptor layer() {
        return layer;
    }

    /** The compatibility config's bytes. */
    public byte[] configBytes() {
        return configBytes.clone();
    }

    public Descriptor config() {
        return config;
    }

    /** The OCI image manifest, with its exact bytes and digest. */
    public RawManifest manifest() {
        return manifest;
    }

    public Digest digest() {
        return manifest.digest();
    }

    /** Whether the manifest names the child as its OCI 1.1 subject. */
    public boolean hasSubject() {
        return withSubject;
    }

    /**
     * The entry for the image index, after the runnable children: platform {@code unknown/unknown} (so no runtime
     * pulls it), {@code vnd.docker.reference.type: attestation-manifest} and
     * {@code vnd.docker.reference.digest: <child digest>}.
     */
    public Descriptor indexEntry() {
        return entryFor(manifest.descriptor(), child.digest());
    }

    /** The index entry of an attestation manifest already pushed (e.g. from a record): its descriptor and child. */
    public static Descriptor entryFor(Descriptor attestationManifest, Digest child) {
        return new Descriptor(
                MediaType.OCI_MANIFEST,
                attestationManifest.digest(),
                attestationManifest.size(),
                Platform.UNKNOWN,
                Map.of(
                        Descriptor.ANNOTATION_REFERENCE_TYPE,
                        Descriptor.REFERENCE_TYPE_ATTESTATION,
                        Descriptor.ANNOTATION_REFERENCE_DIGEST,
                        child.toString()),
                List.of(),
                null);
    }

    @Override
    public String toString() {
        return "AttestationManifest[" + manifest.digest() + " for " + child.digest() + "]";
    }
}
