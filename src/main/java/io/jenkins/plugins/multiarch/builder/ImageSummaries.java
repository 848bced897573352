package io.jenkins.plugins.multiarch.builder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import io.jenkins.plugins.multiarch.record.ImageSummary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The record's content from the manifest and the config blob the registry returned for the push (no request of
 * its own). Env values are dropped here, before anything is written; a label value or an entrypoint/cmd argument
 * that contains one of the build's secrets (secret build args, the registry password) is withheld.
 */
final class ImageSummaries {

    /** OCI's annotations (and buildah's / buildx's labels) naming the base image. */
    static final String BASE_NAME = "org.opencontainers.image.base.name";

    static final String BASE_DIGEST = "org.opencontainers.image.base.digest";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ImageSummaries() {}

    /** The summary, or null when the config is not the JSON object it was already checked to be. */
    static ImageSummary of(ImageManifest manifest, byte[] configJson, List<String> secrets) {
        JsonNode root;
        try {
            root = JSON.readTree(configJson);
        } catch (IOException e) {
            return null;
        }
        if (root == null || !root.isObject()) {
            return null;
        }
        JsonNode config = root.path("config");
        List<String> env = new ArrayList<>();
        for (JsonNode e : config.path("Env")) {
            String kv = e.asText();
            int eq = kv.indexOf('=');
            env.add(eq < 0 ? kv : kv.substring(0, eq));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = config.path("Labels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> l = it.next();
            labels.put(l.getKey(), withheld(l.getValue().asText(), secrets));
        }
        Map<String, String> annotations = manifest.annotations() == null ? Map.of() : manifest.annotations();
        String baseName = either(annotations.get(BASE_NAME), labels.get(BASE_NAME));
        String baseDigest = either(annotations.get(BASE_DIGEST), labels.get(BASE_DIGEST));
        return ImageSummary.bounded(
                baseName,
                baseDigest,
                manifest.layers().size(),
                manifest.layers().stream().mapToLong(Descriptor::size).sum(),
                strings(config.path("Entrypoint"), secrets),
                strings(config.path("Cmd"), secrets),
                env,
                labels);
    }

    /** The first that says something: buildah annotates FROM scratch with an empty base name. */
    private static String either(String annotation, String label) {
        if (annotation != null && !annotation.isBlank()) {
            return annotation;
        }
        return label == null || label.isBlank() ? null : label;
    }

    private static String withheld(String value, List<String> secrets) {
        for (String s : secrets) {
            if (s != null && !s.isEmpty() && value.contains(s)) {
                return ImageSummary.WITHHELD;
            }
        }
        return value;
    }

    private static List<String> strings(JsonNode array, List<String> secrets) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) {
            out.add(withheld(n.asText(), secrets));
        }
        return out;
    }
}
