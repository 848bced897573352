package io.jenkins.plugins.multiarch.publish;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.jenkins.plugins.multiarch.VerificationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The exact bytes of each entry of an index's {@code manifests} array, and a list whose entries are replaced by
 * such bytes. An amended list keeps the entries it started from byte for byte (field order, escapes, fields this
 * project does not model), which re-serialising the parsed descriptors would not.
 */
final class IndexEntries {

    private static final JsonFactory FACTORY = new JsonFactory();

    private IndexEntries() {}

    /** One {@code [start, end)} range of bytes. */
    private record Span(int start, int end) {}

    /** The bytes of every entry of {@code index}'s top-level {@code manifests} array, in order. */
    static List<byte[]> of(byte[] index) {
        List<byte[]> entries = new ArrayList<>();
        for (Span s : spans(index)) {
            entries.add(Arrays.copyOfRange(index, s.start, s.end));
        }
        return entries;
    }

    /**
     * {@code index} with entry {@code i} of its {@code manifests} array replaced by {@code replacements.get(i)}
     * where that is not null. Everything between the entries stays as it was.
     */
    static byte[] splice(byte[] index, List<byte[]> replacements) {
        List<Span> spans = spans(index);
        if (spans.size() != replacements.size()) {
            throw new IllegalArgumentException(
                    "the index has " + spans.size() + " entries, " + replacements.size() + " replacements given");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(index.length + 256);
        int at = 0;
        for (int i = 0; i < spans.size(); i++) {
            Span s = spans.get(i);
            byte[] replacement = replacements.get(i);
            out.write(index, at, s.start - at);
            if (replacement == null) {
                out.write(index, s.start, s.end - s.start);
            } else {
                out.write(replacement, 0, replacement.length);
            }
            at = s.end;
        }
        out.write(index, at, index.length - at);
        return out.toByteArray();
    }

    private static List<Span> spans(byte[] index) {
        List<Span> spans = new ArrayList<>();
        try (JsonParser p = FACTORY.createParser(index)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new VerificationException("the index is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (!"manifests".equals(field) || value != JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    int start = Math.toIntExact(p.currentTokenLocation().getByteOffset());
                    p.skipChildren(); // now at the entry's END_OBJECT
                    int end = Math.toIntExact(p.currentTokenLocation().getByteOffset()) + 1;
                    spans.add(new Span(start, end));
                }
            }
        } catch (IOException e) {
            throw new VerificationException("the index is not valid JSON: " + e.getMessage(), e);
        }
        return spans;
    }
}
