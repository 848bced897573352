package io.jenkins.plugins.multiarch.manifest;

import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.MediaType;
import java.nio.charset.StandardCharsets;

/**
 * A manifest as stored in a registry: its exact bytes, the media type it is served as, and the digest of
 * those bytes. The bytes are never re-serialised, since any change (even whitespace) changes the digest.
 * Equality is on the digest.
 */
public record RawManifest(byte[] bytes, MediaType mediaType, Digest digest) {

    public RawManifest {
        if (bytes == null || mediaType == null || digest == null) {
            throw new IllegalArgumentException("bytes, mediaType and digest are required");
        }
        bytes = bytes.clone();
        if (!digest.matches(bytes)) {
            throw new VerificationException("manifest content does not match its digest " + digest + ": the "
                    + bytes.length + " bytes hash to " + Digest.compute(digest.algorithm(), bytes));
        }
    }

    /** Wraps exact bytes with this media type; the digest is their sha256. */
    public static RawManifest of(byte[] bytes, MediaType mediaType) {
        return new RawManifest(bytes, mediaType, Digest.sha256(bytes));
    }

    /** Wraps exact bytes, taking the media type from the body (or the structure, for OCI without mediaType). */
    public static RawManifest of(byte[] bytes) {
        Manifest parsed = ManifestCodec.parse(bytes, null);
        return new RawManifest(bytes, parsed.mediaType(), Digest.sha256(bytes));
    }

    /** Serialises a manifest deterministically and wraps the result. */
    public static RawManifest of(Manifest manifest) {
        return of(ManifestCodec.serialize(manifest), manifest.mediaType());
    }

    /** A copy of the exact bytes. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public long size() {
        return bytes.length;
    }

    /** Parses the bytes (checking the body's mediaType against this one). */
    public Manifest parsed() {
        return ManifestCodec.parse(bytes, mediaType.value());
    }

    /** A descriptor of this manifest (no platform). */
    public Descriptor descriptor() {
        return new Descriptor(mediaType, digest, bytes.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawManifest && ((RawManifest) o).digest.equals(digest);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return "RawManifest[" + mediaType + ", " + digest + ", " + bytes.length + " bytes]";
    }

    /** For debugging only: the bytes as UTF-8 text. */
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
