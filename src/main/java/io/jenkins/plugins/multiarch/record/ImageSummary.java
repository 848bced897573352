package io.jenkins.plugins.multiarch.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.multiarch.InvalidInputException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a reviewer compares between two builds of one platform, read from the pushed manifest and config: the base
 * image, the layers, the entrypoint, cmd, the NAMES of the env variables (never their values: an ENV may carry a
 * token) and the labels (a label whose value holds a secret of the build is kept with its value withheld). The
 * record's optional {@code content} (schema 1.1); a 1.0 record has none, which reads as "unknown".
 *
 * @param baseName the base image's name, from the {@code org.opencontainers.image.base.name} annotation or label
 * @param baseDigest the base image's digest, from {@code org.opencontainers.image.base.digest}, or null
 * @param layerCount the manifest's layers
 * @param layersSize their compressed size in bytes, as the manifest gives it
 * @param entrypoint the config's Entrypoint (empty when unset)
 * @param cmd the config's Cmd (empty when unset)
 * @param envNames the names of the config's Env, sorted
 * @param labels the config's Labels, by name
 */
public record ImageSummary(
        String baseName,
        String baseDigest,
        int layerCount,
        long layersSize,
        List<String> entrypoint,
        List<String> cmd,
        List<String> envNames,
        Map<String, String> labels) {

    /** At most this many entries in each of entrypoint, cmd, envNames and labels. */
    public static final int MAX_ENTRIES = 128;

    /** At most this many characters in any one text (a name, a value, an argument). */
    public static final int MAX_TEXT = 1024;

    /** What a label's value reads when it held one of the build's secrets. */
    public static final String WITHHELD = "(withheld: holds a secret of the build)";

    public ImageSummary {
        entrypoint = List.copyOf(entrypoint == null ? List.of() : entrypoint);
        cmd = List.copyOf(cmd == null ? List.of() : cmd);
        envNames = List.copyOf(envNames == null ? List.of() : envNames);
        labels = Collections.unmodifiableMap(new TreeMap<>(labels == null ? Map.of() : labels));
    }

    /**
     * At most this many characters in all texts together: even escaped as JSON (6 bytes a character at worst), the
     * record stays under {@code RecordCheck.MAX_RECORD_BYTES}.
     */
    public static final int MAX_TOTAL_TEXT = 32 * 1024;

    /**
     * A summary cut to the bounds {@link #outOfBounds()} checks, for what a builder writes: a config with more
     * entries or longer texts keeps the first ones (labels by name), a cut text ending in "…".
     */
    public static ImageSummary bounded(
            String baseName,
            String baseDigest,
            int layerCount,
            long layersSize,
            List<String> entrypoint,
            List<String> cmd,
            List<String> envNames,
            Map<String, String> labels) {
        Budget budget = new Budget();
        String name = budget.cut(baseName);
        String digest = budget.cut(baseDigest);
        List<String> e = budget.cut(entrypoint);
        List<String> c = budget.cut(cmd);
        List<String> env = budget.cut(envNames.stream().sorted().distinct().toList());
        Map<String, String> l = new TreeMap<>();
        for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
            int need = label.getKey().length()
                    + (label.getValue() == null ? 0 : label.getValue().length());
            if (l.size() == MAX_ENTRIES || Math.min(need, 2 * MAX_TEXT) > budget.left) {
                break;
            }
            l.put(budget.cut(label.getKey()), budget.cut(label.getValue()));
        }
        return new ImageSummary(name, digest, layerCount, layersSize, e, c, env, l);
    }

    /** Why this summary is larger than a builder writes one, or null when it is not. */
    public String outOfBounds() {
        for (Map.Entry<String, Integer> e : Map.of(
                        "entrypoint", entrypoint.size(),
                        "cmd", cmd.size(),
                        "envNames", envNames.size(),
                        "labels", labels.size())
                .entrySet()) {
            if (e.getValue() > MAX_ENTRIES) {
                return "its content has " + e.getValue() + " " + e.getKey() + " (at most " + MAX_ENTRIES + ")";
            }
        }
        List<String> texts = new ArrayList<>();
        texts.addAll(entrypoint);
        texts.addAll(cmd);
        texts.addAll(envNames);
        texts.addAll(labels.keySet());
        texts.addAll(labels.values());
        texts.add(baseName);
        texts.add(baseDigest);
        long total = 0;
        for (String t : texts) {
            int length = t == null ? 0 : t.length();
            if (length > MAX_TEXT) {
                return "its content has a text of " + length + " characters (at most " + MAX_TEXT + ")";
            }
            total += length;
        }
        if (total > MAX_TOTAL_TEXT) {
            return "its content has " + total + " characters of text (at most " + MAX_TOTAL_TEXT + ")";
        }
        if (layerCount < 0 || layersSize < 0) {
            return "its content has a negative layer count or size";
        }
        return null;
    }

    /** What is left of {@link #MAX_TOTAL_TEXT} while a summary is cut. */
    private static final class Budget {
        int left = MAX_TOTAL_TEXT;

        String cut(String s) {
            if (s == null) {
                return null;
            }
            int room = Math.min(MAX_TEXT, Math.max(left, 1));
            String out = s;
            if (s.length() > room) {
                int end = room - 1;
                if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
                    end--; // never half a character
                }
                out = s.substring(0, end) + "…";
            }
            left -= out.length();
            return out;
        }

        List<String> cut(List<String> list) {
            List<String> out = new ArrayList<>();
            for (String s : list) {
                if (out.size() == MAX_ENTRIES || left <= 0) {
                    break;
                }
                out.add(cut(s));
            }
            return out;
        }
    }

    // ---- JSON (the record's "content" object) ----

    void writeTo(ObjectNode n) {
        if (baseName != null || baseDigest != null) {
            ObjectNode base = n.putObject("base");
            if (baseName != null) {
                base.put("name", baseName);
            }
            if (baseDigest != null) {
                base.put("digest", baseDigest);
            }
        }
        ObjectNode layers = n.putObject("layers");
        layers.put("count", layerCount);
        layers.put("size", layersSize);
        strings(n.putArray("entrypoint"), entrypoint);
        strings(n.putArray("cmd"), cmd);
        strings(n.putArray("envNames"), envNames);
        ObjectNode l = n.putObject("labels");
        labels.forEach(l::put);
    }

    static ImageSummary readFrom(JsonNode n) {
        if (!n.isObject()) {
            throw new InvalidInputException("'content' is not an object");
        }
        JsonNode base = n.path("base");
        JsonNode layers = n.path("layers");
        if (!layers.path("count").canConvertToInt() || !layers.path("size").canConvertToLong()) {
            throw new InvalidInputException("'content' lacks 'layers' with a numeric 'count' and 'size'");
        }
        Map<String, String> labels = new TreeMap<>();
        JsonNode l = n.path("labels");
        for (Iterator<Map.Entry<String, JsonNode>> it = l.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            labels.put(e.getKey(), e.getValue().asText());
        }
        return new ImageSummary(
                textOrNull(base.get("name")),
                textOrNull(base.get("digest")),
                layers.path("count").asInt(),
                layers.path("size").asLong(),
                strings(n.path("entrypoint")),
                strings(n.path("cmd")),
                strings(n.path("envNames")),
                labels);
    }

    private static String textOrNull(JsonNode v) {
        return v == null || v.isNull() ? null : v.asText();
    }

    private static void strings(ArrayNode into, List<String> from) {
        from.forEach(into::add);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }
}
