package io.jenkins.plugins.multiarch.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What changed between two builds of one platform, beyond "the digest changed": the base image, the layers (count
 * and compressed size), and the config's entrypoint, cmd, env and labels. Env and label values are not shown, only
 * their names: an ENV may carry a value a reviewer's page should not repeat.
 */
public final class ImageChanges {

    /** OCI's annotation (and buildx's label) naming the base image. */
    static final String BASE_NAME = "org.opencontainers.image.base.name";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ImageChanges() {}

    /** The parts of one image a reviewer compares. */
    public record Content(
            String base,
            int layerCount,
            long layersSize,
            List<String> entrypoint,
            List<String> cmd,
            Map<String, String> env,
            Map<String, String> labels) {

        public Content {
            entrypoint = List.copyOf(entrypoint);
            cmd = List.copyOf(cmd);
            env = Map.copyOf(env);
            labels = Map.copyOf(labels);
        }

        /**
         * From what a record keeps (its {@code content}): env NAMES only, so an env variable reads as added or
         * removed, never as changed (its value was not kept). The base is its name, with its short digest when
         * both are known.
         */
        public static Content ofRecorded(
                String baseName,
                String baseDigest,
                int layerCount,
                long layersSize,
                List<String> entrypoint,
                List<String> cmd,
                Collection<String> envNames,
                Map<String, String> labels) {
            Map<String, String> env = new LinkedHashMap<>();
            envNames.forEach(n -> env.put(n, ""));
            Map<String, String> l = new LinkedHashMap<>();
            labels.forEach((k, v) -> l.put(k, v == null ? "" : v));
            String base = baseName == null
                    ? baseDigest
                    : baseDigest == null || baseName.contains("@")
                            ? baseName
                            : baseName + "@" + Wording.shortDigest(baseDigest);
            return new Content(base, layerCount, layersSize, entrypoint, cmd, env, l);
        }

        /** From an image manifest and the exact bytes of its config blob. */
        public static Content of(ImageManifest manifest, byte[] configJson) {
            JsonNode root;
            try {
                root = JSON.readTree(configJson);
            } catch (IOException e) {
                throw new InvalidInputException("the image config is not JSON (" + e.getMessage()
                        + "): compare images whose config blob the registry returns as pushed");
            }
            JsonNode config = root.path("config");
            Map<String, String> env = new LinkedHashMap<>();
            for (JsonNode e : config.path("Env")) {
                String kv = e.asText();
                int eq = kv.indexOf('=');
                env.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
            }
            Map<String, String> labels = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it =
                            config.path("Labels").fields();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> l = it.next();
                labels.put(l.getKey(), l.getValue().asText());
            }
            String base = manifest.annotations() == null
                    ? null
                    : manifest.annotations().get(BASE_NAME);
            if (base == null) {
                base = labels.get(BASE_NAME);
            }
            return new Content(
                    base,
                    manifest.layers().size(),
                    manifest.layers().stream().mapToLong(Descriptor::size).sum(),
                    strings(config.path("Entrypoint")),
                    strings(config.path("Cmd")),
                    env,
                    labels);
        }

        private static List<String> strings(JsonNode array) {
            List<String> out = new ArrayList<>();
            for (JsonNode n : array) {
                out.add(n.asText());
            }
            return out;
        }
    }

    /**
     * One line per part that changed, e.g. {@code "layers: 3 (2.1 MiB) to 4 (2.3 MiB)"},
     * {@code "env: added FOO; changed PATH"}; empty when none did.
     */
    public static List<String> between(Content before, Content after) {
        List<String> lines = new ArrayList<>();
        if (!Objects.equals(before.base(), after.base())) {
            lines.add("base image: " + orNone(before.base()) + " to " + orNone(after.base()));
        }
        if (before.layerCount() != after.layerCount() || before.layersSize() != after.layersSize()) {
            lines.add("layers: " + before.layerCount() + " (" + Wording.size(before.layersSize()) + ") to "
                    + after.layerCount() + " (" + Wording.size(after.layersSize()) + ")");
        }
        if (!before.entrypoint().equals(after.entrypoint())) {
            lines.add("entrypoint: " + before.entrypoint() + " to " + after.entrypoint());
        }
        if (!before.cmd().equals(after.cmd())) {
            lines.add("cmd: " + before.cmd() + " to " + after.cmd());
        }
        names("env", before.env(), after.env(), lines);
        names("labels", before.labels(), after.labels(), lines);
        return lines;
    }

    private static void names(String what, Map<String, String> before, Map<String, String> after, List<String> out) {
        List<String> parts = new ArrayList<>();
        TreeSet<String> added = new TreeSet<>(after.keySet());
        added.removeAll(before.keySet());
        TreeSet<String> removed = new TreeSet<>(before.keySet());
        removed.removeAll(after.keySet());
        TreeSet<String> changed = new TreeSet<>();
        for (Map.Entry<String, String> e : before.entrySet()) {
            if (after.containsKey(e.getKey()) && !Objects.equals(e.getValue(), after.get(e.getKey()))) {
                changed.add(e.getKey());
            }
        }
        if (!added.isEmpty()) {
            parts.add("added " + Wording.list(added));
        }
        if (!changed.isEmpty()) {
            parts.add("changed " + Wording.list(changed));
        }
        if (!removed.isEmpty()) {
            parts.add("removed " + Wording.list(removed));
        }
        if (!parts.isEmpty()) {
            out.add(what + ": " + String.join("; ", parts));
        }
    }

    private static String orNone(String s) {
        return s == null ? "(not recorded)" : s;
    }
}
