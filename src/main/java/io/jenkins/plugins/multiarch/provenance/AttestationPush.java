package io.jenkins.plugins.multiarch.provenance;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import java.util.Objects;

/**
 * Pushes an attestation manifest into a repository: its config and layer blobs (each only when the repository
 * lacks it), then the manifest by its digest (no tag: the index is what points at it), and checks that the
 * registry stored exactly that digest. The repository should be the child's: an index can only point at
 * manifests of its own repository.
 */
public final class AttestationPush {

    private final RegistryClient client;
    private final LogListener listener;

    public AttestationPush(RegistryClient client, LogListener listener) {
        this.client = Objects.requireNonNull(client, "client");
        this.listener = listener == null ? LogListener.NONE : listener;
    }

    /**
     * Pushes {@code attestation} into {@code repository} (its tag and digest, if any, are ignored).
     *
     * @return the index entry of the pushed attestation manifest
     * @throws VerificationException when the registry reports another digest than the manifest's
     */
    public Descriptor push(ImageReference repository, AttestationManifest attestation) {
        Objects.requireNonNull(attestation, "attestation");
        ImageReference repo = Objects.requireNonNull(repository, "repository").withoutTagOrDigest();
        pushBlobIfMissing(repo, attestation.config().digest(), attestation.configBytes());
        pushBlobIfMissing(repo, attestation.layer().digest(), attestation.layerBytes());
        Digest expected = attestation.digest();
        Digest stored = client.putManifest(repo.withDigest(expected), attestation.manifest());
        if (!expected.equals(stored)) {
            throw new VerificationException(
                    "pushing the provenance of " + attestation.child().digest() + " to "
                            + repo + ": the registry stored " + stored + " instead of " + expected
                            + "; the registry or a proxy changed the manifest, so it is not attached to the index");
        }
        listener.info("provenance for " + attestation.child().digest().shortHex() + " pushed to " + repo + "@"
                + expected + (attestation.hasSubject() ? " (with OCI subject)" : ""));
        return attestation.indexEntry();
    }

    private void pushBlobIfMissing(ImageReference repo, Digest digest, byte[] bytes) {
        if (!client.blobExists(repo, digest)) {
            client.pushBlob(repo, digest, bytes);
        }
    }
}
