package io.jenkins.plugins.multiarch.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What changed between two builds of a platform, part by part, with env and label values left out. */
class ImageChangesTest {

    private static Descriptor blob(String seed, long size, MediaType type) {
        return new Descriptor(
                type,
                Digest.sha256(seed.getBytes(StandardCharsets.UTF_8)),
                size,
                null,
                new LinkedHashMap<>(),
                List.of(),
                null);
    }

    private static ImageManifest manifest(String base, long... layerSizes) {
        List<Descriptor> layers = new java.util.ArrayList<>();
        for (int i = 0; i < layerSizes.length; i++) {
            layers.add(blob("layer" + i + "/" + layerSizes[i], layerSizes[i], MediaType.OCI_LAYER_GZIP));
        }
        Map<String, String> annotations = base == null ? Map.of() : Map.of(ImageChanges.BASE_NAME, base);
        return new ImageManifest(
                2, MediaType.OCI_MANIFEST, blob("config", 900, MediaType.OCI_CONFIG), layers, null, annotations, null);
    }

    private static byte[] config(String entrypoint, String env, String labels) {
        return ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Entrypoint\":" + entrypoint
                        + ",\"Cmd\":[\"serve\"],\"Env\":" + env + ",\"Labels\":" + labels + "}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void namesEachPartThatChanged() {
        ImageChanges.Content before = ImageChanges.Content.of(
                manifest("docker.io/library/busybox:1.36", 1024 * 1024, 2048),
                config("[\"/app\"]", "[\"PATH=/bin\",\"TOKEN=hunter2\"]", "{\"version\":\"1.0\"}"));
        ImageChanges.Content after = ImageChanges.Content.of(
                manifest("docker.io/library/busybox:1.37", 1024 * 1024, 2048, 3 * 1024 * 1024),
                config("[\"/app\",\"--verbose\"]", "[\"PATH=/usr/bin\",\"MODE=prod\"]", "{\"version\":\"1.1\"}"));

        List<String> lines = ImageChanges.between(before, after);

        assertThat(lines)
                .containsExactly(
                        "base image: docker.io/library/busybox:1.36 to docker.io/library/busybox:1.37",
                        "layers: 2 (1.0 MiB) to 3 (4.0 MiB)",
                        "entrypoint: [/app] to [/app, --verbose]",
                        "env: added MODE; changed PATH; removed TOKEN",
                        "labels: changed version");
        assertThat(String.join("\n", lines)).doesNotContain("hunter2").doesNotContain("/usr/bin");
    }

    @Test
    void nothingForTheSameContent() {
        byte[] c = config("[\"/app\"]", "[\"PATH=/bin\"]", "{}");
        ImageChanges.Content a = ImageChanges.Content.of(manifest(null, 10, 20), c);
        ImageChanges.Content b = ImageChanges.Content.of(manifest(null, 10, 20), c);
        assertThat(ImageChanges.between(a, b)).isEmpty();
    }

    @Test
    void aConfigThatIsNotJsonIsRefusedWithTheFix() {
        assertThatThrownBy(() -> ImageChanges.Content.of(manifest(null), "not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not JSON");
    }
}
