package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.manifest.ImageConfig;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import io.jenkins.plugins.multiarch.manifest.Manifest;
import io.jenkins.plugins.multiarch.manifest.ManifestCodec;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import java.util.List;
import java.util.Optional;

/**
 * After a push, asks the registry what it now holds: every pushed tag must point at the digest the
 * builder reported, the manifest must be one image (not a list), and the platform in that image's config
 * must be the one requested. The config is the truth: a build that silently reused another platform's
 * base image carries that platform in its config, whatever the builder was asked for.
 */
final class PushVerifier {

    /**
     * What the registry holds: {@code manifest} is the bytes read, to be PUT under further names unchanged;
     * {@code image} and {@code config} (the config blob's verified bytes) are what the record's content is read from.
     */
    record Confirmed(
            Digest digest,
            MediaType mediaType,
            long size,
            Platform platform,
            RawManifest manifest,
            ImageManifest image,
            byte[] config) {}

    /** As RegistryClient.fetchConfig bounds a config blob. */
    static final long MAX_CONFIG_BYTES = 8L * 1024 * 1024;

    private final RegistryClient client;

    PushVerifier(RegistryClient client) {
        this.client = client;
    }

    Confirmed confirm(List<ImageReference> pushed, Digest reported, Platform requested) {
        // The first name is read whole (its digest is the hash of what comes back), the others only HEADed:
        // two requests plus one per extra name, config included.
        ImageReference first = pushed.get(0);
        RawManifest raw;
        try {
            raw = client.fetchManifest(first);
        } catch (RegistryException e) {
            if (e.statusCode() == 404) {
                throw notThere(first);
            }
            throw e;
        } catch (VerificationException unreadable) {
            // Not a manifest we read: if the tag no longer holds what was pushed, that is the real news.
            Optional<Digest> now = reported == null ? Optional.empty() : client.headDigest(first);
            if (now.isPresent() && !now.get().equals(reported)) {
                throw moved(first, reported, now.get());
            }
            throw unreadable;
        }
        Digest digest = reported == null ? raw.digest() : reported;
        if (!digest.equals(raw.digest())) {
            throw moved(first, digest, raw.digest());
        }
        for (ImageReference ref : pushed.subList(1, pushed.size())) {
            Digest found =
                    client.headManifest(ref).orElseThrow(() -> notThere(ref)).digest();
            if (!digest.equals(found)) {
                throw moved(ref, digest, found);
            }
        }
        ImageReference byDigest = first.withoutTagOrDigest().withDigest(digest);
        Manifest parsed = raw.parsed();
        if (!(parsed instanceof ImageManifest manifest)) {
            throw new VerificationException(byDigest + " is a " + raw.mediaType() + ", not a single image: build one "
                    + "platform per push (the builder was asked for " + requested + ")");
        }
        // The config blob read once, here: its platform is checked and its bytes summarised for the record.
        byte[] config = client.fetchBlob(
                byDigest.withoutTagOrDigest(), manifest.config().digest(), MAX_CONFIG_BYTES);
        ImageConfig parsedConfig;
        try {
            parsedConfig = ManifestCodec.parseConfig(config);
        } catch (VerificationException | InvalidInputException e) {
            throw new VerificationException(
                    "read the image config " + manifest.config().digest() + " of " + byDigest.withoutTagOrDigest()
                            + ": " + e.getMessage() + "; the image was pushed with a broken config, rebuild and push it"
                            + " again",
                    e);
        }
        Platform actual = parsedConfig.platform();
        if (!actual.matches(requested)) {
            throw new VerificationException("the image built for " + requested + " and pushed as " + byDigest
                    + " is " + actual + " according to its config: its base image was the wrong platform (a base "
                    + "image cached for another platform, or a base that does not exist for " + requested
                    + "); pull the base for " + requested + " (the builder pulls by default) or give a base image "
                    + "that has a " + requested + " variant");
        }
        return new Confirmed(digest, raw.mediaType(), raw.size(), actual, raw, manifest, config);
    }

    private static VerificationException moved(ImageReference ref, Digest pushed, Digest found) {
        return new VerificationException("the builder pushed " + ref + " as " + pushed + " but the registry holds "
                + found + " under that tag: another build pushed the same tag at the same time; use the "
                + "digest naming or distinct tags per build");
    }

    private static RegistryException notThere(ImageReference ref) {
        return new RegistryException(
                "pushed " + ref + " but the registry does not have it: check that nothing "
                        + "deletes tags in this repository while builds run",
                404,
                null);
    }
}
