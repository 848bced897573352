package io.jenkins.plugins.multiarch.publish;

import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a publish did (or, in a dry run, would do): the list's digest and type, each child with its
 * verified platform, each tag's outcome, and the number of HTTP requests it took. {@code amendment} says what
 * changed against the list it amended ({@code --from}); null when it amended none.
 */
public record PublishResult(
        ImageReference target,
        Digest listDigest,
        MediaType mediaType,
        long listSize,
        byte[] listBytes,
        List<Child> children,
        List<TagOutcome> tags,
        List<Platform> missingOptionalPlatforms,
        List<String> notes,
        int requestCount,
        boolean dryRun,
        Amendment amendment) {

    public PublishResult {
        children = List.copyOf(children);
        tags = List.copyOf(tags);
        missingOptionalPlatforms = List.copyOf(missingOptionalPlatforms);
        notes = List.copyOf(notes);
        listBytes = listBytes.clone();
    }

    /** The result of a publish that amended no list. */
    public PublishResult(
            ImageReference target,
            Digest listDigest,
            MediaType mediaType,
            long listSize,
            byte[] listBytes,
            List<Child> children,
            List<TagOutcome> tags,
            List<Platform> missingOptionalPlatforms,
            List<String> notes,
            int requestCount,
            boolean dryRun) {
        this(
                target,
                listDigest,
                mediaType,
                listSize,
                listBytes,
                children,
                tags,
                missingOptionalPlatforms,
                notes,
                requestCount,
                dryRun,
                null);
    }

    /** What changed against the amended list, if this publish amended one. */
    public Optional<Amendment> amended() {
        return Optional.ofNullable(amendment);
    }

    @Override
    public byte[] listBytes() {
        return listBytes.clone();
    }

    /** The list by digest, e.g. {@code registry.example/onap/py-app@sha256:...}: what signing and deployment should use. */
    public ImageReference listReference() {
        return target.withDigest(listDigest);
    }

    /** Image children only (attestations left out). */
    public List<Child> images() {
        return children.stream().filter(c -> !c.attestation()).toList();
    }

    public Optional<Child> child(Platform platform) {
        return images().stream().filter(c -> c.platform().matches(platform)).findFirst();
    }

    /** How a child came to be in the target repository. */
    public enum Transfer {
        /** It already was there. */
        PRESENT,
        /** Its blobs were mounted from another repository of the same registry and its manifest put by digest. */
        MOUNTED,
        /** Its blobs were copied within the registry (the registry declined the mount). */
        COPIED,
        /** Dry run: it would be mounted or copied. */
        PLANNED
    }

    /**
     * One entry of the list. {@code platform} is read from the image's config; for an attestation it is
     * {@code unknown/unknown} and {@code attestationFor} names the image it describes. {@code size} is the
     * manifest's size in bytes (what the list's descriptor says); {@code imageSize} is the image's: config plus
     * layers, compressed, as the registry stores them ({@code -1} where not known).
     */
    public record Child(
            Platform platform,
            Digest digest,
            MediaType mediaType,
            long size,
            ImageReference source,
            String origin,
            Transfer transfer,
            Map<String, String> annotations,
            boolean attestation,
            Digest attestationFor,
            long imageSize) {

        public Child {
            annotations = Map.copyOf(annotations);
        }

        /** A child whose image size is not known. */
        public Child(
                Platform platform,
                Digest digest,
                MediaType mediaType,
                long size,
                ImageReference source,
                String origin,
                Transfer transfer,
                Map<String, String> annotations,
                boolean attestation,
                Digest attestationFor) {
            this(
                    platform,
                    digest,
                    mediaType,
                    size,
                    source,
                    origin,
                    transfer,
                    annotations,
                    attestation,
                    attestationFor,
                    -1);
        }

        /** Pull by digest from the target: {@code target@digest}. */
        public ImageReference pullReference(ImageReference target) {
            return target.withoutTagOrDigest().withDigest(digest);
        }
    }

    /** What happened to one tag. */
    public record TagOutcome(String tag, Status status, Digest previous) {
        public enum Status {
            /** The tag did not exist and now points at the list. */
            CREATED,
            /** The tag pointed at something else and now points at the list. */
            UPDATED,
            /** The tag already pointed at this list: nothing was written. */
            UNCHANGED,
            /** Dry run: the tag would be written. */
            PLANNED
        }
    }

    /**
     * What an amendment did to the list it started from ({@code from}, at {@code fromDigest}): one change per image
     * entry, in the new list's order, the removed ones first. Attestations go with their image.
     */
    public record Amendment(ImageReference from, Digest fromDigest, List<Change> changes) {

        public Amendment {
            changes = List.copyOf(changes);
        }

        public List<Change> of(Change.Kind kind) {
            return changes.stream().filter(c -> c.kind() == kind).toList();
        }

        /** The change of the image entry with this digest (not of a removed one), if any. */
        public Optional<Change> changeOf(Digest image) {
            return changes.stream()
                    .filter(c -> c.kind() != Change.Kind.REMOVED && c.digest().equals(image))
                    .findFirst();
        }

        /**
         * One image entry: {@code digest} is the entry's (for {@code REPLACED} the new one's, {@code replaced} the
         * old one's; null otherwise).
         */
        public record Change(Kind kind, Platform platform, Digest digest, Digest replaced) {
            public enum Kind {
                /** In the amended list and in the new one, byte for byte. */
                KEPT,
                /** A new platform. */
                ADDED,
                /** The platform's image (and its attestations) replaced by another one ({@code --replace}). */
                REPLACED,
                /** Dropped with its attestations ({@code --remove}). */
                REMOVED
            }
        }
    }
}
