package io.jenkins.plugins.multiarch.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record's optional content (schema 1.1): round trip, 1.0 records read as "unknown", bounds. */
class RecordContentTest {

    @TempDir
    Path dir;

    /** A record exactly as schema 1.0 wrote it (docs/record-format.md's example, before 1.1). */
    private static final String SCHEMA_1_0 = """
            {
              "schemaVersion" : "1.0",
              "image" : "127.0.0.1:5000/onap/py-app",
              "pushed" : [ "127.0.0.1:5000/onap/py-app-arm64v8:1.0" ],
              "reference" : "127.0.0.1:5000/onap/py-app-arm64v8@sha256:5b0c6a0c0d5d0f47f3a0a0c5dd8f4f7a8f6a1b5f0c7f6e1d2c3b4a5968778695",
              "digest" : "sha256:5b0c6a0c0d5d0f47f3a0a0c5dd8f4f7a8f6a1b5f0c7f6e1d2c3b4a5968778695",
              "mediaType" : "application/vnd.docker.distribution.manifest.v2+json",
              "size" : 735,
              "platform" : { "os" : "linux", "architecture" : "arm64", "variant" : "v8" },
              "requestedPlatform" : "linux/arm64",
              "emulated" : true,
              "builder" : { "name" : "docker", "version" : "20.10.24+dfsg1" },
              "host" : "build-host",
              "agent" : "arm-agent-1",
              "startedAt" : "2026-11-23T10:00:00Z",
              "finishedAt" : "2026-11-23T10:01:30Z",
              "sourceRevision" : "0123abcd",
              "buildArgs" : [ "BASE", "PIP_INDEX_TOKEN" ],
              "naming" : "repo-suffix"
            }
            """;

    static ImageSummary summary() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("org.opencontainers.image.revision", "0123abcd");
        labels.put("token-label", ImageSummary.WITHHELD);
        return ImageSummary.bounded(
                "docker.io/library/busybox:1.36",
                "sha256:" + "ab".repeat(32),
                3,
                2_345_678,
                List.of("/app"),
                List.of("serve", "--port", "8080"),
                List.of("PATH", "MODE", "PATH"),
                labels);
    }

    static ArchImageRecord withContent(ArchImageRecord r, ImageSummary content) {
        return new ArchImageRecord(
                r.schemaVersion(),
                r.image(),
                r.pushed(),
                r.digest(),
                r.mediaType(),
                r.size(),
                r.platform(),
                r.requestedPlatform(),
                r.emulated(),
                r.builder(),
                r.builderVersion(),
                r.host(),
                r.agent(),
                r.startedAt(),
                r.finishedAt(),
                r.sourceRevision(),
                r.buildArgs(),
                r.naming(),
                content);
    }

    @Test
    void aRecordWithContentRoundTripsThroughJsonAndAFile() {
        ArchImageRecord r = withContent(ArchImageRecordTest.sample("linux/arm64/v8", "arm64v8"), summary());
        String json = new String(r.toJson(), StandardCharsets.UTF_8);
        assertThat(json)
                .contains("\"schemaVersion\" : \"1.2\"")
                .contains("\"content\" : {")
                .contains("\"name\" : \"docker.io/library/busybox:1.36\"")
                .contains("\"count\" : 3", "\"size\" : 2345678")
                .contains("\"envNames\" : [ \"MODE\", \"PATH\" ]");
        assertThat(ArchImageRecord.fromJson(r.toJson(), "test")).isEqualTo(r);
        assertThat(RecordStore.read(RecordStore.write(dir, r))).isEqualTo(r);
        assertThat(r.content().envNames()).as("sorted, each once").containsExactly("MODE", "PATH");
    }

    @Test
    void aRecordWithoutContentRoundTripsWithoutOne() {
        ArchImageRecord r = ArchImageRecordTest.sample("linux/amd64", "amd64");
        assertThat(new String(r.toJson(), StandardCharsets.UTF_8)).doesNotContain("\"content\"");
        assertThat(ArchImageRecord.fromJson(r.toJson(), "test").content()).isNull();
    }

    @Test
    void aSchema10FileIsReadWithItsContentUnknown() throws Exception {
        Path f = dir.resolve("127.0.0.1_5000/onap/py-app/linux-arm64.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, SCHEMA_1_0);
        ArchImageRecord r = RecordStore.read(f);
        assertThat(r.schemaVersion()).isEqualTo("1.0");
        assertThat(r.content()).as("unknown").isNull();
        assertThat(r.platform()).isEqualTo(Platform.parse("linux/arm64/v8"));
        assertThat(r.naming()).isEqualTo(Naming.REPO_SUFFIX);
        assertThat(RecordStore.select(dir, ImageReference.parse("127.0.0.1:5000/onap/py-app"))
                        .records())
                .containsExactly(r);
    }

    @Test
    void aMalformedContentIsOneErrorNamingTheFile() {
        String json = new String(
                        ArchImageRecordTest.sample("linux/amd64", "amd64").toJson(), StandardCharsets.UTF_8)
                .replace("\"naming\" :", "\"content\" : { \"layers\" : { \"count\" : \"many\" } }, \"naming\" :");
        assertThatThrownBy(() -> ArchImageRecord.fromJson(json.getBytes(StandardCharsets.UTF_8), "d.json"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("d.json")
                .hasMessageContaining("'layers'");
    }

    @Test
    void boundedCutsAnOversizedConfigToWhatTheControllerAccepts() {
        List<String> many = new ArrayList<>();
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < 500; i++) {
            many.add("ENV_" + i + "_" + "x".repeat(2000));
            labels.put("label." + i, "v".repeat(5000));
        }
        ImageSummary cut = ImageSummary.bounded("base", null, 900, 1L << 40, many, many, many, labels);
        assertThat(cut.outOfBounds()).isNull();
        assertThat(cut.entrypoint()).hasSizeLessThanOrEqualTo(ImageSummary.MAX_ENTRIES);
        assertThat(cut.entrypoint().get(0)).hasSize(ImageSummary.MAX_TEXT).endsWith("…");
        assertThat(cut.layerCount()).isEqualTo(900);

        ArchImageRecord record = withContent(ArchImageRecordTest.sample("linux/amd64", "amd64"), cut);
        assertThat(record.toJson().length).isLessThan(RecordCheck.MAX_RECORD_BYTES);
        RecordCheck.Expected expected = new RecordCheck.Expected(
                ImageReference.parse("127.0.0.1:5000/onap/py-app"),
                List.of("1.0"),
                Naming.REPO_SUFFIX,
                Platform.parse("linux/amd64"));
        assertThat(RecordCheck.fromAgent(record.toJson(), expected, "agent amd64-1"))
                .isEqualTo(record);

        ImageSummary uncut = new ImageSummary("base", null, 1, 1, List.of(), List.of(), many, Map.of());
        assertThat(uncut.outOfBounds()).contains("500 envNames");
        assertThatThrownBy(() -> RecordCheck.check(
                        withContent(ArchImageRecordTest.sample("linux/amd64", "amd64"), uncut),
                        expected,
                        "agent amd64-1"))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("the record agent amd64-1 sent back is larger than a builder writes one")
                .hasMessageContaining("500 envNames");
        ImageSummary longText = new ImageSummary(
                "b".repeat(ImageSummary.MAX_TEXT + 1), null, 1, 1, List.of(), List.of(), List.of(), Map.of());
        assertThat(longText.outOfBounds()).contains("1025 characters");
        List<String> wide = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            wide.add("y".repeat(ImageSummary.MAX_TEXT));
        }
        assertThat(new ImageSummary(null, null, 1, 1, wide, wide, List.of(), Map.of()).outOfBounds())
                .contains("characters of text (at most " + ImageSummary.MAX_TOTAL_TEXT + ")");
    }
}
