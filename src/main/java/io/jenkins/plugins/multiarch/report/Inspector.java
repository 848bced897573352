package io.jenkins.plugins.multiarch.report;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageIndex;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/** Reads what a reference points at, down to each child's config: {@code multiarch inspect}. */
public final class Inspector {

    private final RegistryClient client;
    private final LogListener listener;

    public Inspector(RegistryClient client, LogListener listener) {
        this.client = Objects.requireNonNull(client, "client");
        this.listener = listener == null ? LogListener.NONE : listener;
    }

    public Inspection inspect(ImageReference reference) {
        RawManifest raw = client.fetchManifest(reference);
        ImageReference repo = reference.withoutTagOrDigest();
        List<Inspection.Entry> entries = new ArrayList<>();
        if (raw.parsed() instanceof ImageIndex index) {
            for (Descriptor d : index.manifests()) {
                boolean attestation = d.isAttestation();
                RawManifest child = client.fetchManifest(repo.withDigest(d.digest()));
                entries.add(entry(repo, d, child, attestation));
            }
        } else {
            Descriptor self = new Descriptor(
                    raw.mediaType(), raw.digest(), raw.size(), null, new LinkedHashMap<>(), List.of(), null);
            entries.add(entry(repo, self, raw, false));
        }
        listener.debug("inspected " + reference + ": " + entries.size() + " entries");
        return new Inspection(reference, raw, entries);
    }

    private Inspection.Entry entry(ImageReference repo, Descriptor descriptor, RawManifest child, boolean attestation) {
        if (!(child.parsed() instanceof ImageManifest manifest)) {
            return new Inspection.Entry(descriptor, child, null, child.size(), attestation);
        }
        long total = child.size()
                + manifest.config().size()
                + manifest.layers().stream().mapToLong(Descriptor::size).sum();
        Platform platform = null;
        if (!attestation) {
            platform = client.fetchConfig(repo, manifest).platform();
        }
        return new Inspection.Entry(descriptor, child, platform, total, attestation);
    }
}
