package io.jenkins.plugins.multiarch.provenance;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One platform's provenance: an in-toto Statement v1 whose subject is the child image's manifest digest and whose
 * predicate is SLSA Provenance v1.0 (https://slsa.dev/spec/v1.0/provenance). The bytes are written once, field by
 * field in a fixed order without whitespace, so the same facts always give the same bytes. docs/provenance.md
 * lists every field, where it comes from, and which fields {@link ProvenanceMode#MAX} adds.
 */
public final class ProvenanceStatement {

    public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
    public static final String PREDICATE_TYPE = "https://slsa.dev/provenance/v1";
    /** Ours: the section of docs/provenance.md that defines our external and internal parameters. */
    public static final String BUILD_TYPE =
            "https://github.com/jenkinsci/multiarch-images-plugin/blob/main/docs/provenance.md#build-type-v1";

    private final ImageReference subjectName;
    private final Digest subjectDigest;
    private final BuildFacts facts;
    private final ProvenanceMode mode;
    private final byte[] bytes;

    private ProvenanceStatement(
            ImageReference subjectName, Digest subjectDigest, BuildFacts facts, ProvenanceMode mode) {
        this.subjectName = subjectName;
        this.subjectDigest = subjectDigest;
        this.facts = facts;
        this.mode = mode;
        this.bytes = CanonicalJson.write(this::write);
    }

    /**
     * The statement for the child image {@code childDigest} of {@code image}.
     *
     * @param image the multi-arch image (or the per-platform repository); its tag and digest are dropped: the
     *     subject's name is the repository, as in-toto names OCI artifacts
     * @throws InvalidInputException for {@link ProvenanceMode#OFF}: there is no statement to write
     */
    public static ProvenanceStatement of(
            ImageReference image, Digest childDigest, BuildFacts facts, ProvenanceMode mode) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(childDigest, "childDigest");
        Objects.requireNonNull(facts, "facts");
        Objects.requireNonNull(mode, "mode");
        if (!mode.enabled()) {
            throw new InvalidInputException("provenance is off: no statement is written; check mode.enabled() first");
        }
        return new ProvenanceStatement(image.withoutTagOrDigest(), childDigest, facts, mode);
    }

    /** The exact bytes (the attestation layer). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The sha256 of {@link #bytes()}: the layer's digest. */
    public Digest digest() {
        return Digest.sha256(bytes);
    }

    public Digest subjectDigest() {
        return subjectDigest;
    }

    /** The subject's name: the repository in its canonical form, e.g. {@code docker.io/library/busybox}. */
    public String subjectName() {
        return subjectName.canonicalName();
    }

    public ProvenanceMode mode() {
        return mode;
    }

    public BuildFacts facts() {
        return facts;
    }

    @Override
    public String toString() {
        return "ProvenanceStatement[" + subjectName() + "@" + subjectDigest + ", " + mode + ", " + bytes.length
                + " bytes]";
    }

    // ---- writing: the field order is part of the format ----

    private void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("_type", STATEMENT_TYPE);
        g.writeArrayFieldStart("subject");
        g.writeStartObject();
        g.writeStringField("name", subjectName());
        writeDigest(g, subjectDigest.algorithm(), subjectDigest.hex());
        g.writeEndObject();
        g.writeEndArray();
        g.writeStringField("predicateType", PREDICATE_TYPE);
        g.writeObjectFieldStart("predicate");
        writeBuildDefinition(g);
        writeRunDetails(g);
        g.writeEndObject();
        g.writeEndObject();
    }

    private void writeBuildDefinition(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("buildDefinition");
        g.writeStringField("buildType", BUILD_TYPE);

        g.writeObjectFieldStart("externalParameters");
        if (facts.sourceRepository() != null || facts.sourceRevision() != null) {
            g.writeObjectFieldStart("source");
            optional(g, "uri", facts.sourceRepository());
            optional(g, "revision", facts.sourceRevision());
            g.writeEndObject();
        }
        g.writeStringField("dockerfile", facts.dockerfile());
        g.writeStringField("platform", facts.platform().toString());
        if (mode == ProvenanceMode.MAX && !facts.buildArgNames().isEmpty()) {
            g.writeArrayFieldStart("buildArgs");
            for (String name : facts.buildArgNames()) {
                g.writeString(name);
            }
            g.writeEndArray();
        }
        g.writeEndObject();

        g.writeObjectFieldStart("internalParameters");
        g.writeStringField("builder", facts.builderKind());
        g.writeBooleanField("emulated", facts.emulated());
        optional(g, "agent", facts.agentName());
        optional(g, "nodeLabel", facts.nodeLabel());
        g.writeEndObject();

        g.writeArrayFieldStart("resolvedDependencies");
        for (Dependency d : dependencies()) {
            g.writeStartObject();
            optional(g, "uri", d.uri());
            optional(g, "name", d.name());
            writeDigest(g, d.algorithm(), d.hex());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private void writeRunDetails(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("runDetails");
        g.writeObjectFieldStart("builder");
        g.writeStringField("id", facts.builderId());
        if (facts.builderVersion() != null || facts.multiarchVersion() != null) {
            g.writeObjectFieldStart("version");
            optional(g, facts.builderKind(), facts.builderVersion());
            optional(g, "multiarch", facts.multiarchVersion());
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeObjectFieldStart("metadata");
        g.writeStringField("invocationId", facts.invocationId());
        g.writeStringField("startedOn", facts.startedOn().toString());
        g.writeStringField("finishedOn", facts.finishedOn().toString());
        g.writeEndObject();
        g.writeEndObject();
    }

    /** One SLSA ResourceDescriptor of {@code resolvedDependencies}. */
    private record Dependency(String uri, String name, String algorithm, String hex) {}

    /** The source (min and max), the base image (min and max, as buildx lists images), the Dockerfile (max). */
    private List<Dependency> dependencies() {
        List<Dependency> out = new ArrayList<>();
        if (facts.sourceRepository() != null && facts.gitCommit().isPresent()) {
            out.add(new Dependency(
                    facts.sourceRepository(),
                    null,
                    "gitCommit",
                    facts.gitCommit().get()));
        }
        if (facts.baseImageDigest() != null) {
            Digest d = facts.baseImageDigest();
            out.add(new Dependency(
                    basePurl(facts.baseImage(), facts.platform()), facts.baseImage(), d.algorithm(), d.hex()));
        }
        if (mode == ProvenanceMode.MAX && facts.dockerfileDigest() != null) {
            Digest d = facts.dockerfileDigest();
            out.add(new Dependency(null, facts.dockerfile(), d.algorithm(), d.hex()));
        }
        return out;
    }

    /**
     * The base image as buildx names images among the materials: a package URL
     * {@code pkg:docker/<name>@<tag>?platform=<os>%2F<arch>}; null when the name is not an image reference (then
     * the dependency has a name and a digest only).
     */
    static String basePurl(String baseImage, Platform platform) {
        if (baseImage == null) {
            return null;
        }
        ImageReference ref;
        try {
            ref = ImageReference.parse(baseImage);
        } catch (InvalidInputException e) {
            return null;
        }
        StringBuilder purl = new StringBuilder("pkg:docker/");
        String[] segments = ref.repositoryString().split("/");
        for (int i = 0; i < segments.length; i++) {
            purl.append(i == 0 ? "" : "/").append(percentEncode(segments[i]));
        }
        String version = ref.tag().orElse(ref.digest().map(Digest::toString).orElse("latest"));
        purl.append('@').append(percentEncode(version));
        purl.append("?platform=").append(percentEncode(platform.toString()));
        return purl.toString();
    }

    /** purl's encoding: everything but unreserved characters percent-encoded (so ':' and '/' in a part too). */
    private static String percentEncode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static void writeDigest(JsonGenerator g, String algorithm, String hex) throws IOException {
        g.writeObjectFieldStart("digest");
        g.writeStringField(algorithm, hex);
        g.writeEndObject();
    }

    private static void optional(JsonGenerator g, String field, String value) throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }

    // ---- reading: what a verifier checks first ----

    /**
     * What a statement read back says, for checks: the subject, the builder, the invocation and the build-arg names.
     *
     * @param buildArgNames empty unless the statement was written in {@link ProvenanceMode#MAX} with build arguments
     */
    public record Summary(
            String subjectName,
            Digest subjectDigest,
            String buildType,
            String builderId,
            String invocationId,
            String platform,
            List<String> buildArgNames) {}

    /**
     * Reads a statement (an attestation layer's bytes): an in-toto Statement v1 with one subject and an SLSA v1
     * predicate.
     *
     * @throws VerificationException when it is not one
     */
    public static Summary read(byte[] bytes) {
        JsonNode root = CanonicalJson.readObject(bytes, "provenance statement");
        expect(root, "_type", STATEMENT_TYPE);
        expect(root, "predicateType", PREDICATE_TYPE);
        JsonNode subjects = root.path("subject");
        if (!subjects.isArray() || subjects.size() != 1) {
            throw new VerificationException("the provenance statement must have exactly one subject, it has "
                    + (subjects.isArray() ? subjects.size() : "none"));
        }
        JsonNode subject = subjects.get(0);
        Digest subjectDigest = null;
        JsonNode digests = subject.path("digest");
        for (String algorithm : List.of(Digest.SHA256, Digest.SHA512)) {
            if (digests.path(algorithm).isTextual()) {
                try {
                    subjectDigest =
                            new Digest(algorithm, digests.path(algorithm).asText());
                } catch (InvalidInputException e) {
                    throw new VerificationException(
                            "the provenance statement's subject digest is malformed: " + e.getMessage(), e);
                }
                break;
            }
        }
        if (subjectDigest == null) {
            throw new VerificationException("the provenance statement's subject has no sha256 or sha512 digest");
        }
        JsonNode predicate = root.path("predicate");
        JsonNode definition = predicate.path("buildDefinition");
        List<String> names = new ArrayList<>();
        definition.path("externalParameters").path("buildArgs").forEach(n -> names.add(n.asText()));
        return new Summary(
                textOrNull(subject, "name"),
                subjectDigest,
                textOrNull(definition, "buildType"),
                textOrNull(predicate.path("runDetails").path("builder"), "id"),
                textOrNull(predicate.path("runDetails").path("metadata"), "invocationId"),
                textOrNull(definition.path("externalParameters"), "platform"),
                List.copyOf(names));
    }

    private static void expect(JsonNode root, String field, String value) {
        String actual = textOrNull(root, field);
        if (!value.equals(actual)) {
            throw new VerificationException("the provenance statement's " + field + " is " + actual + ", not " + value);
        }
    }

    private static String textOrNull(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() ? v.asText() : null;
    }
}
