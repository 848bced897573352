package io.jenkins.plugins.multiarch.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer judges the codec: what {@link ManifestCodec#serialize} writes is laid out as an OCI image layout and
 * read back by the real {@code skopeo}, which must accept it, return the exact bytes and pick the right child.
 */
class SkopeoPeerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void skopeoPresent() {
        boolean present;
        try {
            present = run(List.of("skopeo", "--version")).exit == 0;
        } catch (IOException e) {
            present = false;
        }
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("skopeo is required under CI (apt-get install skopeo)");
        }
        assumeTrue(present, "skopeo not installed; install it to run the peer check of the manifest codec");
    }

    @Test
    void skopeoReadsOurOciIndexAndManifests(@TempDir Path dir) throws Exception {
        Layout layout = new Layout(dir);
        List<Descriptor> children = new ArrayList<>();
        for (Platform p :
                List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64"), Platform.parse("linux/arm/v7"))) {
            Descriptor config = layout.blob(MediaType.OCI_CONFIG, config(p));
            Descriptor layer = layout.blob(MediaType.OCI_LAYER_GZIP, emptyTarGz());
            ImageManifest m = new ImageManifest(MediaType.OCI_MANIFEST, config, List.of(layer));
            Descriptor md = layout.blob(MediaType.OCI_MANIFEST, ManifestCodec.serialize(m));
            children.add(md.withPlatform(p));
        }
        ImageIndex index = new ImageIndex(
                MediaType.OCI_INDEX,
                children,
                Map.of("org.opencontainers.image.description", "multiarch codec peer test"));
        byte[] indexBytes = ManifestCodec.serialize(index);
        Descriptor indexDesc = layout.blob(MediaType.OCI_INDEX, indexBytes);
        layout.finish(indexDesc);

        Result raw = run(List.of("skopeo", "inspect", "--raw", "oci:" + dir + ":latest"));
        assertThat(raw.exit).as(raw.output).isZero();
        assertThat(raw.output.getBytes(StandardCharsets.UTF_8))
                .as("skopeo returns our exact bytes")
                .isEqualTo(indexBytes);

        // skopeo follows our index to the child of the requested platform and reads that child's config;
        // its "Digest" is the digest of the top-level manifest it was pointed at, i.e. our index
        for (String[] want :
                List.of(new String[] {"arm", "v7"}, new String[] {"arm64", ""}, new String[] {"amd64", ""})) {
            List<String> cmd = new ArrayList<>(List.of("skopeo", "--override-os", "linux", "--override-arch", want[0]));
            if (!want[1].isEmpty()) {
                cmd.addAll(List.of("--override-variant", want[1]));
            }
            cmd.addAll(List.of("inspect", "oci:" + dir + ":latest"));
            Result r = run(cmd);
            assertThat(r.exit).as(r.output).isZero();
            JsonNode info = JSON.readTree(r.output);
            assertThat(info.get("Architecture").asText()).isEqualTo(want[0]);
            assertThat(info.get("Os").asText()).isEqualTo("linux");
            assertThat(info.get("Digest").asText()).isEqualTo(indexDesc.digest().toString());
        }
        // a platform the index does not list is not found: skopeo really reads our platform fields
        Result missing = run(List.of(
                "skopeo", "--override-os", "linux", "--override-arch", "ppc64le", "inspect", "oci:" + dir + ":latest"));
        assertThat(missing.exit).as(missing.output).isNotZero();
        assertThat(missing.output).contains("ppc64le");
    }

    /** Docker lists cannot be the top of an OCI layout, so this uses skopeo's {@code dir:} transport. */
    @Test
    void skopeoReadsOurDockerManifestList(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("version"), "Directory Transport Version: 1.1\n");
        Platform p = Platform.parse("linux/s390x");
        byte[] config = config(p);
        Digest configDigest = Digest.sha256(config);
        Files.write(dir.resolve(configDigest.hex()), config);
        byte[] layer = emptyTarGz();
        Digest layerDigest = Digest.sha256(layer);
        Files.write(dir.resolve(layerDigest.hex()), layer);
        byte[] manifest = ManifestCodec.serialize(new ImageManifest(
                MediaType.DOCKER_MANIFEST,
                new Descriptor(MediaType.DOCKER_CONFIG, configDigest, config.length),
                List.of(new Descriptor(MediaType.DOCKER_LAYER_GZIP, layerDigest, layer.length))));
        Digest manifestDigest = Digest.sha256(manifest);
        Files.write(dir.resolve(manifestDigest.hex() + ".manifest.json"), manifest);
        byte[] list = ManifestCodec.serialize(new ImageIndex(
                MediaType.DOCKER_MANIFEST_LIST,
                List.of(new Descriptor(MediaType.DOCKER_MANIFEST, manifestDigest, manifest.length, p)),
                Map.of()));
        Files.write(dir.resolve("manifest.json"), list);

        Result raw = run(List.of("skopeo", "inspect", "--raw", "dir:" + dir));
        assertThat(raw.exit).as(raw.output).isZero();
        assertThat(raw.output.getBytes(StandardCharsets.UTF_8)).isEqualTo(list);
        Result s390x =
                run(List.of("skopeo", "--override-os", "linux", "--override-arch", "s390x", "inspect", "dir:" + dir));
        assertThat(s390x.exit).as(s390x.output).isZero();
        JsonNode info = JSON.readTree(s390x.output);
        assertThat(info.get("Architecture").asText()).isEqualTo("s390x");
        assertThat(info.get("Digest").asText()).isEqualTo(Digest.sha256(list).toString());
        assertThat(info.get("Layers").get(0).asText()).isEqualTo(layerDigest.toString());
    }

    private static byte[] config(Platform p) throws IOException {
        String variant = p.variant() == null ? "" : ",\"variant\":\"" + p.variant() + "\"";
        return ("{\"architecture\":\"" + p.architecture() + "\",\"os\":\"" + p.os() + "\"" + variant
                        + ",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                        + Digest.sha256(new byte[1024])
                        + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** An empty tar archive (two zero blocks), gzipped. */
    private static byte[] emptyTarGz() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(new byte[1024]);
        }
        return out.toByteArray();
    }

    /** A minimal OCI image layout: oci-layout, blobs/sha256/*, index.json naming the top manifest "latest". */
    private static final class Layout {
        private final Path dir;

        Layout(Path dir) throws IOException {
            this.dir = dir;
            Files.createDirectories(dir.resolve("blobs/sha256"));
            Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        }

        Descriptor blob(MediaType type, byte[] content) throws IOException {
            Digest d = Digest.sha256(content);
            Files.write(dir.resolve("blobs/sha256/" + d.hex()), content);
            return new Descriptor(type, d, content.length);
        }

        void finish(Descriptor top) throws IOException {
            ImageIndex layoutIndex = new ImageIndex(
                    MediaType.OCI_INDEX,
                    List.of(top.withAnnotations(Map.of("org.opencontainers.image.ref.name", "latest"))),
                    Map.of());
            Files.write(dir.resolve("index.json"), ManifestCodec.serialize(layoutIndex));
        }
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("timed out: " + command);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
