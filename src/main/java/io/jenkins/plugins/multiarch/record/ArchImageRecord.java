package io.jenkins.plugins.multiarch.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one platform's build pushed, as a versioned JSON document (see docs/record-format.md). The
 * platform is the one read back from the pushed image's config in the registry, never the one asked for.
 * Build-arg names are kept, their values never.
 *
 * @param schemaVersion {@code major.minor}; readers accept any minor of a major they know
 * @param image the multi-arch image's repository (what the list is published as)
 * @param pushed every reference pushed for this platform (by tag)
 * @param digest the pushed manifest's digest, confirmed against the registry
 * @param mediaType the pushed manifest's media type
 * @param size the pushed manifest's size in bytes
 * @param platform the platform in the pushed image's config
 * @param requestedPlatform the platform the build was asked for
 * @param emulated whether the build ran under emulation (the builder's host is another architecture)
 * @param builder builder name, e.g. {@code docker} or {@code buildah}
 * @param builderVersion the engine's or tool's version
 * @param host the machine that built
 * @param agent the CI agent's name, or null
 * @param startedAt when the build started
 * @param finishedAt when the push was confirmed
 * @param sourceRevision the VCS revision, or null
 * @param buildArgs names of the build args given (never values)
 * @param naming how the per-platform references were named
 * @param content what the pushed image holds, for "what changed" (schema 1.1), or null when unknown (a 1.0 record)
 * @param temporaryTag the temporary tag ({@code build-<arch>-<hex>}) a suffix naming pushed before the per-arch
 *     names, when the builder could not remove it (schema 1.2): the publish step removes it later; null otherwise
 * @param provenance the provenance attestation manifest the build pushed beside the image, in the same repository
 *     (schema 1.2): the publish step lists it after the images; null when the build wrote none
 */
public record ArchImageRecord(
        String schemaVersion,
        ImageReference image,
        List<ImageReference> pushed,
        Digest digest,
        MediaType mediaType,
        long size,
        Platform platform,
        Platform requestedPlatform,
        boolean emulated,
        String builder,
        String builderVersion,
        String host,
        String agent,
        Instant startedAt,
        Instant finishedAt,
        String sourceRevision,
        List<String> buildArgs,
        Naming naming,
        ImageSummary content,
        ImageReference temporaryTag,
        Attestation provenance) {

    public static final int SCHEMA_MAJOR = 1;
    /** 1.1 added the optional {@code content}, 1.2 the optional {@code temporaryTag} and {@code provenance}. */
    public static final int SCHEMA_MINOR = 2;

    public static final String SCHEMA_VERSION = SCHEMA_MAJOR + "." + SCHEMA_MINOR;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ArchImageRecord {
        schemaVersion = schemaVersion == null ? SCHEMA_VERSION : schemaVersion;
        Objects.requireNonNull(image, "image");
        image = image.withoutTagOrDigest();
        pushed = List.copyOf(pushed == null ? List.of() : pushed);
        if (pushed.isEmpty()) {
            throw new IllegalArgumentException("a record needs at least one pushed reference");
        }
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        buildArgs = List.copyOf(buildArgs == null ? List.of() : buildArgs);
        naming = naming == null ? Naming.DIGEST : naming;
    }

    /**
     * The provenance attestation manifest a build pushed beside its image (docs/provenance.md): its descriptor and
     * the mode it was written in.
     *
     * @param mediaType the attestation manifest's media type (an OCI image manifest)
     * @param digest its digest, in the repository of the record's first pushed reference
     * @param size its size in bytes
     * @param mode {@code min} or {@code max}
     */
    public record Attestation(MediaType mediaType, Digest digest, long size, String mode) {
        public Attestation {
            Objects.requireNonNull(mediaType, "mediaType");
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(mode, "mode");
        }
    }

    /** A record with its temporary tag but no provenance (schema 1.2 before provenance, or provenance off). */
    public ArchImageRecord(
            String schemaVersion,
            ImageReference image,
            List<ImageReference> pushed,
            Digest digest,
            MediaType mediaType,
            long size,
            Platform platform,
            Platform requestedPlatform,
            boolean emulated,
            String builder,
            String builderVersion,
            String host,
            String agent,
            Instant startedAt,
            Instant finishedAt,
            String sourceRevision,
            List<String> buildArgs,
            Naming naming,
            ImageSummary content,
            ImageReference temporaryTag) {
        this(
                schemaVersion,
                image,
                pushed,
                digest,
                mediaType,
                size,
                platform,
                requestedPlatform,
                emulated,
                builder,
                builderVersion,
                host,
                agent,
                startedAt,
                finishedAt,
                sourceRevision,
                buildArgs,
                naming,
                content,
                temporaryTag,
                null);
    }

    /** A record with no temporary tag left (every record of digest naming, and schema 1.1's). */
    public ArchImageRecord(
            String schemaVersion,
            ImageReference image,
            List<ImageReference> pushed,
            Digest digest,
            MediaType mediaType,
            long size,
            Platform platform,
            Platform requestedPlatform,
            boolean emulated,
            String builder,
            String builderVersion,
            String host,
            String agent,
            Instant startedAt,
            Instant finishedAt,
            String sourceRevision,
            List<String> buildArgs,
            Naming naming,
            ImageSummary content) {
        this(
                schemaVersion,
                image,
                pushed,
                digest,
                mediaType,
                size,
                platform,
                requestedPlatform,
                emulated,
                builder,
                builderVersion,
                host,
                agent,
                startedAt,
                finishedAt,
                sourceRevision,
                buildArgs,
                naming,
                content,
                null);
    }

    /** A record without content (what the image holds is unknown), as schema 1.0 wrote them. */
    public ArchImageRecord(
            String schemaVersion,
            ImageReference image,
            List<ImageReference> pushed,
            Digest digest,
            MediaType mediaType,
            long size,
            Platform platform,
            Platform requestedPlatform,
            boolean emulated,
            String builder,
            String builderVersion,
            String host,
            String agent,
            Instant startedAt,
            Instant finishedAt,
            String sourceRevision,
            List<String> buildArgs,
            Naming naming) {
        this(
                schemaVersion,
                image,
                pushed,
                digest,
                mediaType,
                size,
                platform,
                requestedPlatform,
                emulated,
                builder,
                builderVersion,
                host,
                agent,
                startedAt,
                finishedAt,
                sourceRevision,
                buildArgs,
                naming,
                (ImageSummary) null);
    }

    /** The digest of the provenance attestation manifest, when the build pushed one. */
    public Optional<Digest> provenanceDigest() {
        return provenance == null ? Optional.empty() : Optional.of(provenance.digest());
    }

    /** This record with {@code attestation} as its provenance. */
    public ArchImageRecord withProvenance(Attestation attestation) {
        return new ArchImageRecord(
                schemaVersion,
                image,
                pushed,
                digest,
                mediaType,
                size,
                platform,
                requestedPlatform,
                emulated,
                builder,
                builderVersion,
                host,
                agent,
                startedAt,
                finishedAt,
                sourceRevision,
                buildArgs,
                naming,
                content,
                temporaryTag,
                attestation);
    }

    /** The pushed image by digest, in the repository it was pushed to (per-arch repository for repo-suffix). */
    public ImageReference reference() {
        return pushed.get(0).withoutTagOrDigest().withDigest(digest);
    }

    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }

    /**
     * {@code <os>-<arch>[-<variant>].json} of the normalised platform, the record's file name in its repository's
     * folder: arm64 and arm64/v8 are one platform, so they get one name whatever the image config says.
     */
    public String fileName() {
        Platform p = platform.normalize();
        return p.os() + "-" + p.architecture() + (p.variant() == null ? "" : "-" + p.variant()) + ".json";
    }

    // ---- JSON ----

    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", schemaVersion);
        root.put("image", image.toString());
        ArrayNode refs = root.putArray("pushed");
        pushed.forEach(r -> refs.add(r.toString()));
        root.put("reference", reference().toString());
        root.put("digest", digest.toString());
        root.put("mediaType", mediaType.value());
        root.put("size", size);
        root.set("platform", platformJson(platform));
        if (requestedPlatform != null) {
            root.put("requestedPlatform", requestedPlatform.toString());
        }
        root.put("emulated", emulated);
        ObjectNode b = root.putObject("builder");
        b.put("name", builder);
        if (builderVersion != null) {
            b.put("version", builderVersion);
        }
        putIfSet(root, "host", host);
        putIfSet(root, "agent", agent);
        root.put("startedAt", startedAt.toString());
        root.put("finishedAt", finishedAt.toString());
        putIfSet(root, "sourceRevision", sourceRevision);
        ArrayNode args = root.putArray("buildArgs");
        buildArgs.forEach(args::add);
        root.put("naming", naming.cliName());
        if (content != null) {
            content.writeTo(root.putObject("content"));
        }
        if (temporaryTag != null) {
            root.put("temporaryTag", temporaryTag.toString());
        }
        if (provenance != null) {
            ObjectNode a = root.putObject("provenance");
            a.put("mediaType", provenance.mediaType().value());
            a.put("digest", provenance.digest().toString());
            a.put("size", provenance.size());
            a.put("mode", provenance.mode());
        }
        try {
            return (JSON.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads a record; {@code origin} (usually the file) is named in every error. A record of an unknown
     * major schema version is refused; unknown fields of a known major are ignored.
     */
    public static ArchImageRecord fromJson(byte[] json, String origin) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(
                    "record " + origin + " is not valid JSON (" + e.getOriginalMessage()
                            + "): rebuild it or remove it from the records folder",
                    e);
        } catch (java.io.IOException e) {
            throw new InvalidInputException(
                    "record " + origin + " cannot be read (" + e.getMessage()
                            + "): rebuild it or remove it from the records folder",
                    e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException("record " + origin + " is not a JSON object: rebuild it or remove it");
        }
        String version = text(root, "schemaVersion", origin);
        checkVersion(version, origin);
        try {
            List<ImageReference> pushed = new ArrayList<>();
            JsonNode p = root.get("pushed");
            if (p == null || !p.isArray() || p.isEmpty()) {
                throw new InvalidInputException("record " + origin + " has no 'pushed' references: rebuild it");
            }
            p.forEach(n -> pushed.add(ImageReference.parse(n.asText())));
            List<String> args = new ArrayList<>();
            JsonNode a = root.get("buildArgs");
            if (a != null && a.isArray()) {
                a.forEach(n -> args.add(n.asText()));
            }
            JsonNode b = root.get("builder");
            if (b == null || !b.isObject()) {
                throw new InvalidInputException("record " + origin + " has no 'builder' object: rebuild it");
            }
            JsonNode requested = root.get("requestedPlatform");
            JsonNode naming = root.get("naming");
            JsonNode content = root.get("content");
            String temporaryTag = optText(root, "temporaryTag");
            Attestation provenance = attestationFrom(root.get("provenance"), origin);
            return new ArchImageRecord(
                    version,
                    ImageReference.parse(text(root, "image", origin)),
                    pushed,
                    Digest.parse(text(root, "digest", origin)),
                    MediaType.of(text(root, "mediaType", origin)),
                    root.path("size").asLong(-1),
                    platformFrom(root.get("platform"), origin),
                    requested == null || requested.isNull() ? null : Platform.parse(requested.asText()),
                    root.path("emulated").asBoolean(false),
                    text(b, "name", origin),
                    optText(b, "version"),
                    optText(root, "host"),
                    optText(root, "agent"),
                    instant(root, "startedAt", origin),
                    instant(root, "finishedAt", origin),
                    optText(root, "sourceRevision"),
                    args,
                    naming == null || naming.isNull() ? Naming.DIGEST : Naming.parse(naming.asText()),
                    content == null || content.isNull() ? null : ImageSummary.readFrom(content),
                    temporaryTag == null ? null : ImageReference.parse(temporaryTag),
                    provenance);
        } catch (InvalidInputException e) {
            if (e.getMessage().startsWith("record ")) {
                throw e;
            }
            throw new InvalidInputException("record " + origin + ": " + e.getMessage(), e);
        } catch (MultiarchException | IllegalArgumentException e) {
            throw new InvalidInputException(
                    "record " + origin + " is malformed (" + e.getMessage() + "): rebuild it", e);
        }
    }

    private static void checkVersion(String version, String origin) {
        String[] parts = version.split("\\.", -1);
        int major;
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            major = Integer.parseInt(parts[0]);
            Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("record " + origin + " has schemaVersion '" + version
                    + "', which is not major.minor: this multiarch reads schema " + SCHEMA_MAJOR + ".x (writes "
                    + SCHEMA_VERSION + ")");
        }
        if (major != SCHEMA_MAJOR) {
            throw new InvalidInputException("record " + origin + " has schemaVersion " + version
                    + ", which this multiarch cannot read: it supports schema " + SCHEMA_MAJOR + ".x (writes "
                    + SCHEMA_VERSION + "); use the multiarch version that wrote it, or rebuild the record");
        }
    }

    static ObjectNode platformJson(Platform p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("os", p.os());
        n.put("architecture", p.architecture());
        if (p.variant() != null) {
            n.put("variant", p.variant());
        }
        if (p.osVersion() != null) {
            n.put("os.version", p.osVersion());
        }
        if (!p.osFeatures().isEmpty()) {
            ArrayNode f = n.putArray("os.features");
            p.osFeatures().forEach(f::add);
        }
        return n;
    }

    private static Attestation attestationFrom(JsonNode n, String origin) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw new InvalidInputException(
                    "record " + origin + " has a 'provenance' that is not an object: rebuild it");
        }
        JsonNode size = n.get("size");
        if (size == null || !size.canConvertToLong()) {
            throw new InvalidInputException("record " + origin + " has a 'provenance' without a size: rebuild it");
        }
        return new Attestation(
                MediaType.of(text(n, "mediaType", origin)),
                Digest.parse(text(n, "digest", origin)),
                size.asLong(),
                text(n, "mode", origin));
    }

    private static Platform platformFrom(JsonNode n, String origin) {
        if (n == null || !n.isObject()) {
            throw new InvalidInputException("record " + origin + " has no 'platform' object: rebuild it");
        }
        List<String> features = new ArrayList<>();
        n.path("os.features").forEach(f -> features.add(f.asText()));
        return new Platform(
                text(n, "os", origin),
                text(n, "architecture", origin),
                optText(n, "variant"),
                optText(n, "os.version"),
                features);
    }

    private static String text(JsonNode n, String field, String origin) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new InvalidInputException("record " + origin + " lacks the text field '" + field + "': rebuild it");
        }
        return v.asText();
    }

    private static String optText(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant instant(JsonNode n, String field, String origin) {
        String v = text(n, field, origin);
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(
                    "record " + origin + " has '" + field + "' = '" + v
                            + "', which is not an ISO-8601 instant: rebuild it",
                    e);
        }
    }

    private static void putIfSet(ObjectNode n, String field, String value) {
        if (value != null) {
            n.put(field, value);
        }
    }
}
