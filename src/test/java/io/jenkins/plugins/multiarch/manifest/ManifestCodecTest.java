package io.jenkins.plugins.multiarch.manifest;

import static io.jenkins.plugins.multiarch.manifest.Samples.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestCodecTest {

    private static final Digest D1 = Digest.parse("sha256:" + "1".repeat(64));
    private static final Digest D2 = Digest.parse("sha256:" + "2".repeat(64));
    private static final Digest D3 = Digest.parse("sha256:" + "3".repeat(64));

    // ---- real-world samples ----

    @Test
    void parsesDockerV2Manifest() {
        Manifest m = ManifestCodec.parse(bytes(Samples.DOCKER_MANIFEST), MediaType.DOCKER_MANIFEST.value());
        assertThat(m).isInstanceOf(ImageManifest.class);
        assertThat(m.isIndex()).isFalse();
        ImageManifest im = (ImageManifest) m;
        assertThat(im.schemaVersion()).isEqualTo(2);
        assertThat(im.mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
        assertThat(im.config().mediaType()).isEqualTo(MediaType.DOCKER_CONFIG);
        assertThat(im.config().size()).isEqualTo(1457);
        assertThat(im.config().digest().hex()).startsWith("a416a98b71e2");
        assertThat(im.config().platform()).isNull();
        assertThat(im.layers()).hasSize(2).allMatch(l -> l.mediaType().equals(MediaType.DOCKER_LAYER_GZIP));
        assertThat(im.layersSize()).isEqualTo(2152262 + 1096);
        assertThat(im.annotations()).isEmpty();
        assertThat(im.subject()).isNull();
        assertThat(im.artifactType()).isNull();
    }

    @Test
    void parsesDockerManifestList() {
        ImageIndex list = (ImageIndex) ManifestCodec.parse(
                bytes(Samples.DOCKER_LIST), "application/vnd.docker.distribution.manifest.list.v2+json");
        assertThat(list.mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST_LIST);
        assertThat(list.manifests())
                .extracting(d -> d.platform().toString())
                .containsExactly("linux/amd64", "linux/arm/v7", "linux/arm64/v8", "windows/amd64");
        Descriptor win = list.manifests().get(3);
        assertThat(win.platform().osVersion()).isEqualTo("10.0.17763.5458");
        assertThat(win.platform().osFeatures()).containsExactly("win32k");
        assertThat(win.size()).isEqualTo(1161);
        assertThat(list.manifests().get(2).platform().matches(Platform.parse("linux/arm64")))
                .isTrue();
    }

    @Test
    void parsesBuildxOciIndexWithAttestations() {
        ImageIndex index = (ImageIndex) ManifestCodec.parse(bytes(Samples.OCI_INDEX_WITH_ATTESTATIONS), null);
        assertThat(index.mediaType()).isEqualTo(MediaType.OCI_INDEX);
        assertThat(index.manifests()).hasSize(4);
        List<Descriptor> images =
                index.manifests().stream().filter(d -> !d.isAttestation()).toList();
        List<Descriptor> attestations =
                index.manifests().stream().filter(Descriptor::isAttestation).toList();
        assertThat(images).extracting(d -> d.platform().toString()).containsExactly("linux/amd64", "linux/arm64");
        assertThat(attestations).hasSize(2).allMatch(d -> d.platform().isUnknown());
        assertThat(attestations.get(0).attestedDigest()).contains(images.get(0).digest());
        assertThat(attestations.get(1).attestedDigest()).contains(images.get(1).digest());
        assertThat(attestations.get(0).annotations())
                .containsEntry(Descriptor.ANNOTATION_REFERENCE_TYPE, "attestation-manifest");
        assertThat(images.get(0).attestedDigest()).isEmpty();
    }

    @Test
    void attestationEntriesSurviveARoundTrip() {
        ImageIndex index = (ImageIndex) ManifestCodec.parse(bytes(Samples.OCI_INDEX_WITH_ATTESTATIONS), null);
        byte[] out = ManifestCodec.serialize(index);
        String json = new String(out, StandardCharsets.UTF_8);
        assertThat(json)
                .contains("\"annotations\":{\"vnd.docker.reference.digest\":\"sha256:2d6c8e1a")
                .contains("\"vnd.docker.reference.type\":\"attestation-manifest\"")
                .contains("\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}");
        assertThat(ManifestCodec.parse(out, MediaType.OCI_INDEX.value())).isEqualTo(index);
    }

    @Test
    void parsesOciManifestWithoutMediaTypeFromContentTypeOrShape() {
        Manifest fromHeader = ManifestCodec.parse(
                bytes(Samples.OCI_MANIFEST_NO_MEDIATYPE), "application/vnd.oci.image.manifest.v1+json; charset=utf-8");
        assertThat(fromHeader.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
        Manifest fromShape = ManifestCodec.parse(bytes(Samples.OCI_MANIFEST_NO_MEDIATYPE), null);
        assertThat(fromShape).isEqualTo(fromHeader);
        assertThat(fromShape.annotations()).containsEntry("org.opencontainers.image.base.name", "scratch");
        assertThat(((ImageManifest) fromShape).config().mediaType()).isEqualTo(MediaType.OCI_CONFIG);
        Manifest indexByShape = ManifestCodec.parse(bytes("{\"schemaVersion\":2,\"manifests\":[]}"), null);
        assertThat(indexByShape.mediaType()).isEqualTo(MediaType.OCI_INDEX);
        assertThat(((ImageIndex) indexByShape).manifests()).isEmpty();
    }

    @Test
    void parsesAttestationManifestWithInTotoLayers() {
        ImageManifest m = (ImageManifest) ManifestCodec.parse(bytes(Samples.OCI_ATTESTATION_MANIFEST), null);
        assertThat(m.layers()).singleElement().satisfies(l -> {
            assertThat(l.mediaType()).isEqualTo(MediaType.IN_TOTO);
            assertThat(l.annotations()).containsEntry("in-toto.io/predicate-type", "https://spdx.dev/Document");
        });
    }

    @Test
    void parsesConfigIgnoringEverythingElse() {
        ImageConfig config = ManifestCodec.parseConfig(bytes(Samples.ARM_CONFIG));
        assertThat(config.os()).isEqualTo("linux");
        assertThat(config.architecture()).isEqualTo("arm");
        assertThat(config.variant()).isEqualTo("v7");
        assertThat(config.osVersion()).isNull();
        assertThat(config.osFeatures()).isEmpty();
        assertThat(config.platform()).isEqualTo(Platform.parse("linux/arm/v7"));
        assertThat(ManifestCodec.parseConfig(bytes(Samples.ARM_CONFIG))).isEqualTo(config);

        ImageConfig win = ManifestCodec.parseConfig(bytes("{\"os\":\"windows\",\"architecture\":\"amd64\","
                + "\"os.version\":\"10.0.20348.2227\",\"os.features\":[\"win32k\"],\"rootfs\":{}}"));
        assertThat(win.platform())
                .isEqualTo(new Platform("windows", "amd64", null, "10.0.20348.2227", List.of("win32k")));
    }

    @Test
    void configWithoutPlatformFailsWhenAskedForIt() {
        ImageConfig config = ManifestCodec.parseConfig(bytes("{\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"}}"));
        assertThat(config.architecture()).isNull();
        assertThatThrownBy(config::platform)
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("declares no platform")
                .hasMessageContaining("architecture='null'");
        assertThatThrownBy(() -> ManifestCodec.parseConfig(bytes("[1,2]")))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("image config is not a JSON object");
        assertThatThrownBy(() -> ManifestCodec.parseConfig(bytes("{\"os\":1}")))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("'os'");
    }

    // ---- media type from body vs Content-Type ----

    @Test
    void contentTypeThatDisagreesWithTheBodyIsRefused() {
        assertThatThrownBy(() -> ManifestCodec.parse(bytes(Samples.DOCKER_MANIFEST), MediaType.OCI_MANIFEST.value()))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("body says mediaType application/vnd.docker.distribution.manifest.v2+json")
                .hasMessageContaining("served as application/vnd.oci.image.manifest.v1+json");
        assertThatThrownBy(() -> ManifestCodec.parse(bytes(Samples.DOCKER_LIST), MediaType.OCI_INDEX.value()))
                .isInstanceOf(VerificationException.class);
        assertThatThrownBy(() -> ManifestCodec.parse(
                        bytes(Samples.OCI_INDEX_WITH_ATTESTATIONS), MediaType.DOCKER_MANIFEST.value()))
                .isInstanceOf(VerificationException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8",
                "APPLICATION/VND.DOCKER.DISTRIBUTION.MANIFEST.V2+JSON",
                "application/json",
                "application/octet-stream",
                "text/plain; charset=utf-8",
                ""
            })
    void agreeingOrGenericContentTypesAreAccepted(String contentType) {
        assertThat(ManifestCodec.parse(bytes(Samples.DOCKER_MANIFEST), contentType)
                        .mediaType())
                .isEqualTo(MediaType.DOCKER_MANIFEST);
    }

    @Test
    void shapeThatContradictsTheMediaTypeIsRefused() {
        String manifestWithManifests = Samples.DOCKER_MANIFEST.replace("\"layers\"", "\"manifests\": [], \"layers\"");
        assertThatThrownBy(() -> ManifestCodec.parse(bytes(manifestWithManifests), null))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("an image manifest must not");
        String listWithoutManifests =
                "{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.DOCKER_MANIFEST_LIST + "\",\"config\":{}}";
        assertThatThrownBy(() -> ManifestCodec.parse(bytes(listWithoutManifests), null))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("no 'manifests' array");
    }

    // ---- round trips and determinism ----

    @Test
    void serialisedIndexHasTheDocumentedFieldOrderAndNoWhitespace() {
        Platform win = new Platform("windows", "amd64", null, "10.0.17763.1", List.of("win32k"));
        Map<String, String> ann = new LinkedHashMap<>();
        ann.put("z.last", "2");
        ann.put("a.first", "1");
        ImageIndex index = new ImageIndex(
                2,
                MediaType.OCI_INDEX,
                List.of(
                        new Descriptor(MediaType.OCI_MANIFEST, D1, 100, Platform.parse("linux/arm/v7")),
                        new Descriptor(MediaType.OCI_MANIFEST, D2, 200, win, ann, List.of(), null)),
                Map.of("org.opencontainers.image.created", "2024-01-01T00:00:00Z"),
                null);
        String json = new String(ManifestCodec.serialize(index), StandardCharsets.UTF_8);
        assertThat(json)
                .isEqualTo("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                        + "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
                        + D1
                        + "\",\"size\":100,\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"}},"
                        + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + D2
                        + "\",\"size\":200,"
                        + "\"platform\":{\"architecture\":\"amd64\",\"os\":\"windows\",\"os.version\":\"10.0.17763.1\","
                        + "\"os.features\":[\"win32k\"]},\"annotations\":{\"a.first\":\"1\",\"z.last\":\"2\"}}],"
                        + "\"annotations\":{\"org.opencontainers.image.created\":\"2024-01-01T00:00:00Z\"}}");
    }

    @Test
    void serialisedDockerListOmitsEmptyFields() {
        ImageIndex list = new ImageIndex(
                MediaType.DOCKER_MANIFEST_LIST,
                List.of(new Descriptor(MediaType.DOCKER_MANIFEST, D1, 528, Platform.parse("linux/amd64"))),
                Map.of());
        assertThat(new String(ManifestCodec.serialize(list), StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+json\","
                                + "\"manifests\":[{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                                + "\"digest\":\"" + D1
                                + "\",\"size\":528,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}");
    }

    @Test
    void sameModelGivesIdenticalBytesAndDigest() {
        Map<String, String> a1 = new LinkedHashMap<>();
        a1.put("b", "2");
        a1.put("a", "1");
        Map<String, String> a2 = new LinkedHashMap<>();
        a2.put("a", "1");
        a2.put("b", "2");
        ImageIndex x = new ImageIndex(
                MediaType.OCI_INDEX,
                List.of(new Descriptor(MediaType.OCI_MANIFEST, D1, 1, Platform.parse("linux/amd64"))),
                a1);
        ImageIndex y = new ImageIndex(
                MediaType.OCI_INDEX,
                List.of(new Descriptor(MediaType.OCI_MANIFEST, D1, 1, Platform.parse("linux/amd64"))),
                a2);
        assertThat(x).isEqualTo(y);
        assertThat(ManifestCodec.serialize(x)).isEqualTo(ManifestCodec.serialize(y));
        assertThat(RawManifest.of(x).digest()).isEqualTo(RawManifest.of(y).digest());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "DOCKER_MANIFEST",
                "DOCKER_LIST",
                "OCI_INDEX_WITH_ATTESTATIONS",
                "OCI_MANIFEST_NO_MEDIATYPE",
                "OCI_ATTESTATION_MANIFEST"
            })
    void realWorldSamplesRoundTripByteIdentically(String sample) throws Exception {
        byte[] original = bytes((String) Samples.class.getDeclaredField(sample).get(null));
        Manifest parsed = ManifestCodec.parse(original, null);
        byte[] once = ManifestCodec.serialize(parsed);
        Manifest reparsed = ManifestCodec.parse(once, null);
        assertThat(reparsed).isEqualTo(parsed);
        byte[] twice = ManifestCodec.serialize(reparsed);
        assertThat(twice).isEqualTo(once);
        assertThat(Digest.sha256(twice)).isEqualTo(Digest.sha256(once));
        // compact output: no whitespace outside strings
        assertThat(new String(once, StandardCharsets.UTF_8))
                .doesNotContain("\n")
                .doesNotContain(": ");
    }

    @Test
    void imageManifestRoundTripWithSubjectAndArtifactType() {
        Descriptor subject = new Descriptor(MediaType.OCI_MANIFEST, D3, 999);
        ImageManifest m = new ImageManifest(
                2,
                MediaType.OCI_MANIFEST,
                new Descriptor(MediaType.OCI_EMPTY, D1, 2),
                List.of(new Descriptor(
                        MediaType.OCI_LAYER_TAR, D2, 10, null, Map.of(), List.of("https://example.com/layer"), null)),
                subject,
                Map.of("k", "v"),
                "application/vnd.example.sbom");
        byte[] out = ManifestCodec.serialize(m);
        assertThat(new String(out, StandardCharsets.UTF_8))
                .isEqualTo("{\"schemaVersion\":2,\"mediaType\":"
                        + "\"application/vnd.oci.image.manifest.v1+json\",\"artifactType\":\"application/vnd.example.sbom\","
                        + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + D1
                        + "\",\"size\":2},"
                        + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + D2
                        + "\",\"size\":10,\"urls\":[\"https://example.com/layer\"]}],"
                        + "\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + D3
                        + "\",\"size\":999},\"annotations\":{\"k\":\"v\"}}");
        assertThat(ManifestCodec.parse(out, null)).isEqualTo(m);
        assertThat(ManifestCodec.serialize((Manifest) m)).isEqualTo(out);
    }

    @Test
    void indexWithSubjectAndDescriptorArtifactTypeRoundTrips() {
        ImageIndex index = new ImageIndex(
                2,
                MediaType.OCI_INDEX,
                List.of(new Descriptor(
                        MediaType.OCI_MANIFEST, D1, 5, null, Map.of(), List.of(), "application/vnd.example")),
                Map.of(),
                new Descriptor(MediaType.OCI_INDEX, D2, 7));
        byte[] out = ManifestCodec.serialize(index);
        assertThat(new String(out, StandardCharsets.UTF_8))
                .contains("\"artifactType\":\"application/vnd.example\"")
                .contains("\"subject\":{");
        assertThat(ManifestCodec.parse(out, MediaType.OCI_INDEX.value())).isEqualTo(index);
    }

    // ---- tolerance and refusals ----

    @Test
    void unknownFieldsAreTolerated() {
        String json = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                + "\"future\":{\"x\":[1,2,3]},\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"digest\":\"" + D1 + "\",\"size\":3,\"data\":\"e30=\",\"platform\":{\"architecture\":\"arm64\","
                + "\"os\":\"linux\",\"features\":[\"sse4\"],\"cpu\":\"x\"}}]}";
        ImageIndex index = (ImageIndex) ManifestCodec.parse(bytes(json), null);
        assertThat(index.manifests())
                .singleElement()
                .satisfies(d -> assertThat(d.platform()).isEqualTo(Platform.parse("linux/arm64")));
    }

    @Test
    void manifestOverFourMebibytesIsRefused() {
        String head = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]";
        byte[] exactly = padTo(head, ManifestCodec.MAX_MANIFEST_BYTES);
        assertThat(ManifestCodec.parse(exactly, null)).isInstanceOf(ImageIndex.class);
        byte[] over = padTo(head, ManifestCodec.MAX_MANIFEST_BYTES + 1);
        assertThatThrownBy(() -> ManifestCodec.parse(over, null))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("4194305 bytes")
                .hasMessageContaining("4 MiB");
    }

    private static byte[] padTo(String head, int size) {
        byte[] b = new byte[size];
        byte[] h = bytes(head);
        System.arraycopy(h, 0, b, 0, h.length);
        Arrays.fill(b, h.length, size - 1, (byte) ' ');
        b[size - 1] = '}';
        return b;
    }

    @Test
    void duplicateKeysAreRefused() {
        String json = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                + "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"manifests\":[]}";
        assertThatThrownBy(() -> ManifestCodec.parse(bytes(json), null))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("not valid JSON")
                .hasMessageContaining("mediaType");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "|is empty",
                "not json|not valid JSON",
                "[]|not a JSON object",
                "{\"schemaVersion\":2,\"manifests\":[]} trailing|not valid JSON",
                "{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}|schema 1",
                "{\"schemaVersion\":1,\"mediaType\":\"application/vnd.docker.distribution.manifest.v1+prettyjws\"}|schema 1",
                "{\"schemaVersion\":2}|neither 'manifests' nor 'config'",
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.container.image.v1+json\"}|unsupported manifest media type",
                "{\"schemaVersion\":3,\"manifests\":[]}|schemaVersion 3",
                "{\"schemaVersion\":\"2\",\"manifests\":[]}|no numeric schemaVersion",
                "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"schemaVersion\":2}|no 'manifests' array",
                "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"schemaVersion\":2}|no 'config' descriptor",
                "{\"schemaVersion\":2,\"manifests\":[],\"config\":{}}|an index must not",
                "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"a/b\",\"size\":1}]}|lacks mediaType, digest or size",
                "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"a/b\",\"size\":1,\"digest\":\"sha256:zz\"}]}|invalid digest",
                "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"a/b\",\"size\":-1,\"digest\":\"sha256:"
                        + "1111111111111111111111111111111111111111111111111111111111111111\"}]}|invalid size",
                "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"a/b\",\"size\":1.5,\"digest\":\"sha256:"
                        + "1111111111111111111111111111111111111111111111111111111111111111\"}]}|invalid size",
                "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"a/b\",\"size\":1,\"digest\":\"sha256:"
                        + "1111111111111111111111111111111111111111111111111111111111111111\",\"platform\":{\"os\":\"linux\"}}]}"
                        + "|platform without os or architecture",
                "{\"schemaVersion\":2,\"manifests\":[],\"annotations\":{\"a\":1}}|annotation 'a' of the index is not a string",
                "{\"schemaVersion\":2,\"manifests\":[\"x\"]}|manifests[0] is not a JSON object",
            })
    void malformedManifestsAreRefusedWithAReason(String row) {
        int bar = row.lastIndexOf('|');
        String body = row.substring(0, bar);
        String reason = row.substring(bar + 1);
        assertThatThrownBy(() -> ManifestCodec.parse(bytes(body), null))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void recordsValidateTheirMediaTypes() {
        assertThatThrownBy(() -> new ImageIndex(MediaType.OCI_MANIFEST, List.of(), Map.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("needs media type");
        assertThatThrownBy(() ->
                        new ImageManifest(MediaType.OCI_INDEX, new Descriptor(MediaType.OCI_CONFIG, D1, 1), List.of()))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new ImageManifest(MediaType.OCI_MANIFEST, null, List.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("config");
        assertThatThrownBy(() -> new Descriptor(MediaType.OCI_MANIFEST, D1, -1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> new Descriptor(null, D1, 1)).isInstanceOf(InvalidInputException.class);
    }
}
