package io.jenkins.plugins.multiarch.provenance;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jenkins.plugins.multiarch.VerificationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes JSON field by field in the order the caller gives, without whitespace, so the same values always give
 * the same bytes (and so the same digest); reads with duplicate keys refused, as {@code ManifestCodec} does.
 */
final class CanonicalJson {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(
                    StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();
    private static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY).build();

    /** The largest statement read back: far above what a build writes, far below what would hurt. */
    static final int MAX_BYTES = 4 * 1024 * 1024;

    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private CanonicalJson() {}

    static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory cannot fail
        }
        return out.toByteArray();
    }

    /** Parses a JSON object, or says which document is not one. */
    static JsonNode readObject(byte[] bytes, String what) {
        if (bytes == null || bytes.length == 0) {
            throw new VerificationException("the " + what + " is empty (0 bytes)");
        }
        if (bytes.length > MAX_BYTES) {
            throw new VerificationException(
                    "the " + what + " is " + bytes.length + " bytes, more than the " + MAX_BYTES + " this tool reads");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            int nl = m.indexOf('\n');
            throw new VerificationException(
                    "the " + what + " is not valid JSON: " + (nl < 0 ? m : m.substring(0, nl)), e);
        }
        if (root == null || !root.isObject()) {
            throw new VerificationException("the " + what + " is not a JSON object");
        }
        return root;
    }
}
