package io.jenkins.plugins.multiarch.publish;

import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import java.util.Map;

/**
 * One resolved list entry: exact manifest bytes, platform read from its config (an attestation's is the one its
 * index gave), where it came from. {@code entryJson} is the entry's descriptor exactly as the amended list held
 * it ({@code --from}), written into the new list byte for byte; null for an entry this publish describes itself.
 */
record ResolvedChild(
        ImageReference source,
        String origin,
        RawManifest raw,
        ImageManifest manifest,
        Platform platform,
        Map<String, String> annotations,
        Digest attestationFor,
        byte[] entryJson) {

    ResolvedChild {
        entryJson = entryJson == null ? null : entryJson.clone();
    }

    ResolvedChild(
            ImageReference source,
            String origin,
            RawManifest raw,
            ImageManifest manifest,
            Platform platform,
            Map<String, String> annotations,
            Digest attestationFor) {
        this(source, origin, raw, manifest, platform, annotations, attestationFor, null);
    }

    @Override
    public byte[] entryJson() {
        return entryJson == null ? null : entryJson.clone();
    }

    boolean isAttestation() {
        return attestationFor != null;
    }

    Digest digest() {
        return raw.digest();
    }

    /** The same entry, kept byte for byte as {@code json} (its descriptor in the list it came from). */
    ResolvedChild keptAs(byte[] json) {
        return new ResolvedChild(source, origin, raw, manifest, platform, annotations, attestationFor, json);
    }

    /** Whether this attestation describes {@code image}. */
    boolean describes(ResolvedChild image) {
        return image.digest().equals(attestationFor);
    }
}
