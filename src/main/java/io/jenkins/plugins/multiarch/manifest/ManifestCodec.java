package io.jenkins.plugins.multiarch.manifest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes manifests with Jackson's tree model, by hand, so that reading tolerates unknown fields and
 * writing is deterministic: fixed field order, absent and empty optional fields omitted, annotations sorted, no
 * whitespace. The same model always gives the same bytes and therefore the same digest.
 */
public final class ManifestCodec {

    /** The largest manifest accepted, as the distribution registry and containerd limit it. */
    public static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

    /** Content-Type values that say nothing about the manifest kind, so they never conflict with the body. */
    private static final Set<String> GENERIC_CONTENT_TYPES =
            Set.of("application/json", "application/octet-stream", "text/plain", "binary/octet-stream");

    private static final JsonFactory FACTORY = JsonFactory.builder()
            // A duplicated key lets two parsers see two different manifests under one digest: refuse it.
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(
                    StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();
    private static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ManifestCodec() {}

    /**
     * Parses a manifest. The media type comes from the body's {@code mediaType} when present, else from
     * {@code contentType} (parameters ignored), else from the structure (OCI allows omitting it). When both the
     * body and a specific Content-Type name a type, they must agree.
     *
     * @param contentType the Content-Type it was served with, or null
     * @throws VerificationException when the bytes are not a manifest this project reads
     */
    public static Manifest parse(byte[] bytes, String contentType) {
        JsonNode root = readTree(bytes, "manifest");
        MediaType declared = textOrNull(root, "mediaType", "manifest") == null
                ? null
                : mediaType(root.get("mediaType").asText(), "manifest mediaType");
        MediaType served = servedType(contentType);
        if (declared != null && served != null && !declared.equals(served)) {
            throw new VerificationException("manifest body says mediaType " + declared + " but it was served as "
                    + contentType + "; the registry or the pusher mislabelled it");
        }
        MediaType type = declared != null ? declared : served;
        if (type == null) {
            // OCI manifests may omit mediaType; tell them apart by shape as containerd does
            if (root.has("manifests")) {
                type = MediaType.OCI_INDEX;
            } else if (root.has("config")) {
                type = MediaType.OCI_MANIFEST;
            } else if (root.has("fsLayers") || root.has("signatures")) {
                type = MediaType.DOCKER_MANIFEST_SCHEMA1;
            } else {
                throw new VerificationException("the content has no mediaType, no Content-Type and neither"
                        + " 'manifests' nor 'config'; it is not an image manifest or index");
            }
        }
        if (type.isSchema1()) {
            throw new VerificationException("Docker schema 1 manifests (" + type + ") are not supported;"
                    + " re-push the image with a current Docker, buildah or skopeo to get a schema 2 or OCI manifest");
        }
        if (!type.isManifest()) {
            throw new VerificationException("unsupported manifest media type " + type + "; expected one of "
                    + MediaType.OCI_INDEX + ", " + MediaType.DOCKER_MANIFEST_LIST + ", " + MediaType.OCI_MANIFEST
                    + ", " + MediaType.DOCKER_MANIFEST);
        }
        int schemaVersion = schemaVersion(root);
        try {
            if (type.isIndex()) {
                JsonNode list = root.get("manifests");
                if (list == null || !list.isArray()) {
                    throw new VerificationException("the " + type + " has no 'manifests' array");
                }
                if (root.has("config") || root.has("layers")) {
                    throw new VerificationException("the " + type + " also has 'config'/'layers'; an index must not");
                }
                return new ImageIndex(
                        schemaVersion,
                        type,
                        descriptors(list, "manifests"),
                        annotations(root, "index"),
                        optionalDescriptor(root, "subject"));
            }
            JsonNode config = root.get("config");
            if (config == null || !config.isObject()) {
                throw new VerificationException("the " + type + " has no 'config' descriptor");
            }
            if (root.has("manifests")) {
                throw new VerificationException("the " + type + " also has 'manifests'; an image manifest must not");
            }
            JsonNode layers = root.get("layers");
            if (layers != null && !layers.isNull() && !layers.isArray()) {
                throw new VerificationException("the " + type + " has a 'layers' that is not an array");
            }
            return new ImageManifest(
                    schemaVersion,
                    type,
                    descriptor(config, "config"),
                    layers == null || layers.isNull() ? List.of() : descriptors(layers, "layers"),
                    optionalDescriptor(root, "subject"),
                    annotations(root, "manifest"),
                    textOrNull(root, "artifactType", "manifest"));
        } catch (InvalidInputException e) {
            throw new VerificationException("malformed manifest: " + e.getMessage(), e);
        }
    }

    /** Parses an image config blob; only os, architecture, variant, os.version and os.features are read. */
    public static ImageConfig parseConfig(byte[] bytes) {
        JsonNode root = readTree(bytes, "image config");
        List<String> features = new ArrayList<>();
        JsonNode f = root.get("os.features");
        if (f != null && f.isArray()) {
            f.forEach(n -> features.add(n.asText()));
        }
        return new ImageConfig(
                textOrNull(root, "os", "image config"),
                textOrNull(root, "architecture", "image config"),
                textOrNull(root, "variant", "image config"),
                textOrNull(root, "os.version", "image config"),
                features);
    }

    /** Deterministic bytes of either kind of manifest. */
    public static byte[] serialize(Manifest manifest) {
        if (manifest instanceof ImageIndex) {
            return serialize((ImageIndex) manifest);
        }
        return serialize((ImageManifest) manifest);
    }

    /**
     * Deterministic bytes of an index: schemaVersion, mediaType, manifests[mediaType, digest, size,
     * platform{architecture, os, os.version, os.features, variant}, annotations, urls, artifactType], subject,
     * annotations. Empty and null fields are omitted; annotations sorted by key; no whitespace.
     */
    public static byte[] serialize(ImageIndex index) {
        return write(g -> {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", index.schemaVersion());
            g.writeStringField("mediaType", index.mediaType().value());
            g.writeArrayFieldStart("manifests");
            for (Descriptor d : index.manifests()) {
                writeDescriptor(g, d);
            }
            g.writeEndArray();
            if (index.subject() != null) {
                g.writeFieldName("subject");
                writeDescriptor(g, index.subject());
            }
            writeAnnotations(g, index.annotations());
            g.writeEndObject();
        });
    }

    /**
     * Deterministic bytes of an image manifest: schemaVersion, mediaType, artifactType, config, layers, subject,
     * annotations.
     */
    public static byte[] serialize(ImageManifest manifest) {
        return write(g -> {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", manifest.schemaVersion());
            g.writeStringField("mediaType", manifest.mediaType().value());
            if (manifest.artifactType() != null) {
                g.writeStringField("artifactType", manifest.artifactType());
            }
            g.writeFieldName("config");
            writeDescriptor(g, manifest.config());
            g.writeArrayFieldStart("layers");
            for (Descriptor d : manifest.layers()) {
                writeDescriptor(g, d);
            }
            g.writeEndArray();
            if (manifest.subject() != null) {
                g.writeFieldName("subject");
                writeDescriptor(g, manifest.subject());
            }
            writeAnnotations(g, manifest.annotations());
            g.writeEndObject();
        });
    }

    // ---- reading ----

    private static JsonNode readTree(byte[] bytes, String what) {
        if (bytes == null || bytes.length == 0) {
            throw new VerificationException("the " + what + " is empty (0 bytes)");
        }
        if (bytes.length > MAX_MANIFEST_BYTES && what.equals("manifest")) {
            throw new VerificationException(
                    "the manifest is " + bytes.length + " bytes, more than the " + MAX_MANIFEST_BYTES
                            + "-byte (4 MiB) limit registries enforce; it is not a manifest this tool reads");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new VerificationException("the " + what + " is not valid JSON: " + firstLine(e.getMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw new VerificationException("the " + what + " is not a JSON object");
        }
        return root;
    }

    private static MediaType servedType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return null;
        }
        MediaType t;
        try {
            t = MediaType.of(contentType);
        } catch (InvalidInputException e) {
            return null; // a malformed header says nothing; the body decides
        }
        return GENERIC_CONTENT_TYPES.contains(t.value()) ? null : t;
    }

    private static MediaType mediaType(String value, String where) {
        try {
            return MediaType.of(value);
        } catch (InvalidInputException e) {
            throw new VerificationException("malformed " + where + ": " + e.getMessage(), e);
        }
    }

    private static int schemaVersion(JsonNode root) {
        JsonNode v = root.get("schemaVersion");
        if (v == null || !v.isIntegralNumber()) {
            throw new VerificationException("the manifest has no numeric schemaVersion");
        }
        if (v.asInt() != 2) {
            throw new VerificationException("the manifest has schemaVersion " + v.asText()
                    + "; only schemaVersion 2 (Docker v2 schema 2 and OCI) is supported");
        }
        return 2;
    }

    private static List<Descriptor> descriptors(JsonNode array, String field) {
        List<Descriptor> out = new ArrayList<>(array.size());
        int i = 0;
        for (JsonNode n : array) {
            out.add(descriptor(n, field + "[" + i++ + "]"));
        }
        return out;
    }

    private static Descriptor optionalDescriptor(JsonNode root, String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : descriptor(n, field);
    }

    private static Descriptor descriptor(JsonNode n, String where) {
        if (!n.isObject()) {
            throw new VerificationException("descriptor " + where + " is not a JSON object");
        }
        String mediaType = textOrNull(n, "mediaType", "descriptor " + where);
        String digest = textOrNull(n, "digest", "descriptor " + where);
        JsonNode size = n.get("size");
        if (mediaType == null || digest == null || size == null) {
            throw new VerificationException("descriptor " + where + " lacks mediaType, digest or size");
        }
        if (!size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
            throw new VerificationException("descriptor " + where + " has an invalid size " + size);
        }
        Digest d;
        try {
            d = Digest.parse(digest);
        } catch (InvalidInputException e) {
            throw new VerificationException("descriptor " + where + " has an invalid digest: " + e.getMessage(), e);
        }
        List<String> urls = new ArrayList<>();
        JsonNode u = n.get("urls");
        if (u != null && u.isArray()) {
            u.forEach(x -> urls.add(x.asText()));
        }
        return new Descriptor(
                mediaType(mediaType, "descriptor " + where + " mediaType"),
                d,
                size.asLong(),
                platform(n.get("platform"), where),
                annotations(n, "descriptor " + where),
                urls,
                textOrNull(n, "artifactType", "descriptor " + where));
    }

    private static Platform platform(JsonNode p, String where) {
        if (p == null || p.isNull()) {
            return null;
        }
        if (!p.isObject()) {
            throw new VerificationException("descriptor " + where + " has a platform that is not an object");
        }
        String os = textOrNull(p, "os", "platform of " + where);
        String arch = textOrNull(p, "architecture", "platform of " + where);
        if (os == null || arch == null) {
            throw new VerificationException("descriptor " + where + " has a platform without os or architecture");
        }
        List<String> features = new ArrayList<>();
        JsonNode f = p.get("os.features");
        if (f != null && f.isArray()) {
            f.forEach(x -> features.add(x.asText()));
        }
        return new Platform(
                os,
                arch,
                textOrNull(p, "variant", "platform of " + where),
                textOrNull(p, "os.version", "platform of " + where),
                features);
    }

    private static Map<String, String> annotations(JsonNode n, String where) {
        JsonNode a = n.get("annotations");
        if (a == null || a.isNull()) {
            return Map.of();
        }
        if (!a.isObject()) {
            throw new VerificationException("the annotations of the " + where + " are not a JSON object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : a.properties()) {
            if (!e.getValue().isTextual()) {
                throw new VerificationException("annotation '" + e.getKey() + "' of the " + where + " is not a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static String textOrNull(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new VerificationException("field '" + field + "' of the " + where + " is not a string: " + v);
        }
        String s = v.asText();
        return s.isEmpty() ? null : s;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    // ---- writing ----

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory cannot fail
        }
        return out.toByteArray();
    }

    private static void writeDescriptor(JsonGenerator g, Descriptor d) throws IOException {
        g.writeStartObject();
        g.writeStringField("mediaType", d.mediaType().value());
        g.writeStringField("digest", d.digest().toString());
        g.writeNumberField("size", d.size());
        if (d.platform() != null) {
            Platform p = d.platform();
            g.writeObjectFieldStart("platform");
            g.writeStringField("architecture", p.architecture());
            g.writeStringField("os", p.os());
            if (p.osVersion() != null) {
                g.writeStringField("os.version", p.osVersion());
            }
            if (!p.osFeatures().isEmpty()) {
                g.writeArrayFieldStart("os.features");
                for (String f : p.osFeatures()) {
                    g.writeString(f);
                }
                g.writeEndArray();
            }
            if (p.variant() != null) {
                g.writeStringField("variant", p.variant());
            }
            g.writeEndObject();
        }
        writeAnnotations(g, d.annotations());
        if (!d.urls().isEmpty()) {
            g.writeArrayFieldStart("urls");
            for (String u : d.urls()) {
                g.writeString(u);
            }
            g.writeEndArray();
        }
        if (d.artifactType() != null) {
            g.writeStringField("artifactType", d.artifactType());
        }
        g.writeEndObject();
    }

    private static void writeAnnotations(JsonGenerator g, Map<String, String> annotations) throws IOException {
        if (annotations.isEmpty()) {
            return;
        }
        g.writeObjectFieldStart("annotations");
        // the records hold sorted maps already; sort again so a hand-built map cannot break determinism
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(annotations).entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }
}
