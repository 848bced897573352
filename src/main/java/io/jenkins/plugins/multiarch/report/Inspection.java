package io.jenkins.plugins.multiarch.report;

import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import java.util.List;

/**
 * What a registry holds at one reference: the manifest itself and, for a list, each entry with the
 * platform its config really has (so a mislabelled entry shows).
 */
public record Inspection(ImageReference reference, RawManifest manifest, List<Entry> entries) {

    public Inspection {
        entries = List.copyOf(entries);
    }

    public boolean isList() {
        return manifest.mediaType().isIndex();
    }

    public Digest digest() {
        return manifest.digest();
    }

    public MediaType mediaType() {
        return manifest.mediaType();
    }

    /** True when every entry's config matches the platform its list entry claims. */
    public boolean consistent() {
        return entries.stream().allMatch(Entry::consistent);
    }

    /**
     * One image: its descriptor (as the list gives it, or made for a single image), its exact manifest,
     * and the platform read from its config ({@code null} for attestations and non-image artifacts).
     */
    public record Entry(
            Descriptor descriptor, RawManifest manifest, Platform configPlatform, long totalSize, boolean attestation) {

        public boolean consistent() {
            if (attestation || configPlatform == null) {
                return true;
            }
            return descriptor.platform() == null || descriptor.platform().matches(configPlatform);
        }
    }
}
