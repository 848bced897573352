package io.jenkins.plugins.multiarch.manifest;

import static io.jenkins.plugins.multiarch.manifest.Samples.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawManifestTest {

    @Test
    void digestIsOverTheExactBytesAsAnotherToolComputesIt(@TempDir Path dir) throws Exception {
        byte[] raw = bytes(Samples.DOCKER_LIST);
        RawManifest m = RawManifest.of(raw, MediaType.DOCKER_MANIFEST_LIST);
        Path file = dir.resolve("list.json");
        Files.write(file, raw);
        String sha256sum = sha256sum(file);
        assertThat(m.digest().toString()).isEqualTo("sha256:" + sha256sum);
        assertThat(m.size()).isEqualTo(raw.length);
        assertThat(m.bytes()).isEqualTo(raw);
        // the parsed form re-serialised is compact and therefore a different digest: RawManifest keeps the original
        assertThat(RawManifest.of(m.parsed()).digest()).isNotEqualTo(m.digest());
    }

    private static String sha256sum(Path file) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sha256sum", file.toString()).redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (java.io.IOException e) {
            assumeTrue(!"true".equals(System.getenv("CI")), "sha256sum is missing under CI: " + e);
            assumeTrue(false, "sha256sum (coreutils) not installed: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("sha256sum output: %s", out).isZero();
        return out.substring(0, 64);
    }

    @Test
    void ofTakesTheMediaTypeFromTheBody() {
        RawManifest m = RawManifest.of(bytes(Samples.OCI_INDEX_WITH_ATTESTATIONS));
        assertThat(m.mediaType()).isEqualTo(MediaType.OCI_INDEX);
        assertThat(m.parsed()).isInstanceOf(ImageIndex.class);
        assertThat(m.descriptor()).isEqualTo(new Descriptor(MediaType.OCI_INDEX, m.digest(), m.size()));
    }

    @Test
    void wrongDigestIsRefused() {
        byte[] raw = bytes(Samples.DOCKER_MANIFEST);
        Digest other = Digest.sha256(new byte[0]);
        assertThatThrownBy(() -> new RawManifest(raw, MediaType.DOCKER_MANIFEST, other))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("does not match its digest " + other)
                .hasMessageContaining(Digest.sha256(raw).toString());
    }

    @Test
    void sha512DigestsAreVerifiedToo() {
        byte[] raw = bytes(Samples.DOCKER_MANIFEST);
        RawManifest m = new RawManifest(raw, MediaType.DOCKER_MANIFEST, Digest.compute("sha512", raw));
        assertThat(m.digest().algorithm()).isEqualTo("sha512");
    }

    @Test
    void parsedChecksTheBodyAgainstTheMediaType() {
        RawManifest mislabelled = RawManifest.of(bytes(Samples.DOCKER_MANIFEST), MediaType.OCI_MANIFEST);
        assertThatThrownBy(mislabelled::parsed)
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("served as application/vnd.oci.image.manifest.v1+json");
    }

    @Test
    void equalityIsOnDigestAndBytesAreCopied() {
        byte[] raw = bytes(Samples.DOCKER_MANIFEST);
        RawManifest a = RawManifest.of(raw, MediaType.DOCKER_MANIFEST);
        RawManifest b = RawManifest.of(raw.clone(), MediaType.DOCKER_MANIFEST);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(RawManifest.of(bytes(Samples.DOCKER_LIST), MediaType.DOCKER_MANIFEST_LIST));
        raw[0] = 'X';
        assertThat(a.bytes()[0]).isEqualTo((byte) '{');
        a.bytes()[0] = 'Y';
        assertThat(a.bytes()[0]).isEqualTo((byte) '{');
        assertThat(a.toString()).contains(a.digest().toString()).doesNotContain("schemaVersion");
        assertThat(a.text()).isEqualTo(Samples.DOCKER_MANIFEST);
    }

    @Test
    void ofManifestSerialisesDeterministically() {
        ImageIndex index = new ImageIndex(
                MediaType.OCI_INDEX,
                List.of(new Descriptor(
                        MediaType.OCI_MANIFEST, Digest.sha256(bytes("x")), 1, Platform.parse("linux/riscv64"))),
                Map.of("k", "v"));
        RawManifest a = RawManifest.of(index);
        RawManifest b = RawManifest.of(index);
        assertThat(a.bytes()).isEqualTo(b.bytes());
        assertThat(a.mediaType()).isEqualTo(MediaType.OCI_INDEX);
        assertThat(a.digest()).isEqualTo(Digest.sha256(ManifestCodec.serialize(index)));
        assertThat(a.parsed()).isEqualTo(index);
    }
}
