package io.jenkins.plugins.multiarch.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Record JSON: round trip, file layout, versioning, source specs. */
class ArchImageRecordTest {

    @TempDir
    Path dir;

    static ArchImageRecord sample(String platform, String arch) {
        Digest d = Digest.sha256(("image " + platform).getBytes(StandardCharsets.UTF_8));
        return new ArchImageRecord(
                ArchImageRecord.SCHEMA_VERSION,
                ImageReference.parse("127.0.0.1:5000/onap/py-app"),
                List.of(ImageReference.parse("127.0.0.1:5000/onap/py-app-" + arch + ":1.0")),
                d,
                MediaType.DOCKER_MANIFEST,
                528,
                Platform.parse(platform),
                Platform.parse(platform),
                platform.contains("arm"),
                "docker",
                "20.10.24",
                "agent-host",
                "arm-agent-1",
                Instant.parse("2026-11-23T10:00:00Z"),
                Instant.parse("2026-11-23T10:01:30Z"),
                "0123abcd",
                List.of("HTTP_PROXY", "PIP_INDEX_TOKEN"),
                Naming.REPO_SUFFIX);
    }

    @Test
    void roundTripsThroughJson() {
        ArchImageRecord r = sample("linux/arm64/v8", "arm64v8");
        ArchImageRecord back = ArchImageRecord.fromJson(r.toJson(), "test");
        assertThat(back).isEqualTo(r);
        String json = new String(r.toJson(), StandardCharsets.UTF_8);
        assertThat(json)
                .contains(
                        "\"schemaVersion\" : \"1.2\"",
                        "\"variant\" : \"v8\"",
                        "\"naming\" : \"repo-suffix\"",
                        "\"reference\" : \"127.0.0.1:5000/onap/py-app-arm64v8@sha256:");
        assertThat(r.duration().toSeconds()).isEqualTo(90);
    }

    @Test
    void storeWritesOneFilePerPlatformUnderTheRepositoryFolderAndReadsThemAll() {
        Path amd = RecordStore.write(dir, sample("linux/amd64", "amd64"));
        Path arm = RecordStore.write(dir, sample("linux/arm64/v8", "arm64v8"));
        assertThat(dir.relativize(amd).toString()).isEqualTo("127.0.0.1_5000/onap/py-app/linux-amd64.json");
        // named by the normalised platform: arm64/v8 and arm64 are one platform, one file
        assertThat(dir.relativize(arm).toString()).isEqualTo("127.0.0.1_5000/onap/py-app/linux-arm64.json");
        assertThat(sample("linux/arm/v7", "arm32v7").fileName()).isEqualTo("linux-arm-v7.json");
        List<ArchImageRecord> all = RecordStore.readAll(dir);
        assertThat(all)
                .extracting(ArchImageRecord::platform)
                .extracting(Platform::toString)
                .containsExactly("linux/amd64", "linux/arm64/v8");
        assertThat(RecordStore.read(amd)).isEqualTo(sample("linux/amd64", "amd64"));
    }

    @Test
    void selectTakesOnlyTheTargetImagesRecordsFromASharedDirectory() {
        RecordStore.write(dir, sample("linux/amd64", "amd64"));
        RecordStore.write(dir, sample("linux/arm64", "arm64v8"));
        ArchImageRecord other = sample("linux/s390x", "s390x");
        ArchImageRecord otherImage = new ArchImageRecord(
                other.schemaVersion(),
                ImageReference.parse("127.0.0.1:5000/x/other"),
                other.pushed(),
                other.digest(),
                other.mediaType(),
                other.size(),
                other.platform(),
                other.requestedPlatform(),
                other.emulated(),
                other.builder(),
                other.builderVersion(),
                other.host(),
                other.agent(),
                other.startedAt(),
                other.finishedAt(),
                other.sourceRevision(),
                other.buildArgs(),
                other.naming());
        RecordStore.write(dir, otherImage);

        RecordStore.Selection mine = RecordStore.select(dir, ImageReference.parse("127.0.0.1:5000/onap/py-app:1.0"));
        assertThat(mine.records())
                .extracting(r -> r.platform().toString())
                .containsExactly("linux/amd64", "linux/arm64");
        assertThat(mine.files())
                .extracting(f -> dir.relativize(f).toString())
                .containsExactly(
                        "127.0.0.1_5000/onap/py-app/linux-amd64.json", "127.0.0.1_5000/onap/py-app/linux-arm64.json");
        assertThat(mine.otherImages()).singleElement().asString().contains("x/other");

        assertThatThrownBy(() -> RecordStore.select(dir, ImageReference.parse("127.0.0.1:5000/never/built")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("holds no record of 127.0.0.1:5000/never/built")
                .hasMessageContaining("x/other");
    }

    @Test
    void aRecordFileGivenAsTheRecordsDirectoryIsToldAFolderIsExpected() {
        Path file = RecordStore.write(dir, sample("linux/amd64", "amd64"));
        assertThatThrownBy(() -> RecordStore.select(file, ImageReference.parse("127.0.0.1:5000/onap/py-app")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("is a file: a folder is expected")
                .hasMessageContaining(file.getParent().toString())
                .hasMessageNotContaining("does not exist");
    }

    @Test
    void replacingAnImagesRecordsRemovesItsStalePlatformsOnly() throws IOException {
        RecordStore.write(dir, sample("linux/amd64", "amd64"));
        Path staleArm = RecordStore.write(dir, sample("linux/arm64", "arm64v8"));
        Path otherImage = dir.resolve("127.0.0.1_5000/x/other/linux-s390x.json");
        Files.createDirectories(otherImage.getParent());
        Files.write(otherImage, sample("linux/s390x", "s390x").toJson());

        RecordStore.Written w = RecordStore.replaceImage(
                dir, ImageReference.parse("127.0.0.1:5000/onap/py-app:1.0"), List.of(sample("linux/amd64", "amd64")));
        assertThat(w.written())
                .singleElement()
                .satisfies(p -> assertThat(p.getFileName().toString()).isEqualTo("linux-amd64.json"));
        assertThat(w.removed()).containsExactly(staleArm);
        assertThat(staleArm).doesNotExist();
        assertThat(otherImage).exists();
    }

    @Test
    void unknownMajorVersionIsRefusedNamingTheFileAndTheSupportedVersion() throws IOException {
        String json = new String(sample("linux/amd64", "amd64").toJson(), StandardCharsets.UTF_8)
                .replace("\"schemaVersion\" : \"1.2\"", "\"schemaVersion\" : \"2.0\"");
        Path f = dir.resolve("linux-amd64.json");
        Files.writeString(f, json);
        assertThatThrownBy(() -> RecordStore.read(f))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("2.0")
                .hasMessageContaining("1.x");
    }

    @Test
    void newerMinorVersionWithUnknownFieldsIsRead() {
        String json = new String(sample("linux/amd64", "amd64").toJson(), StandardCharsets.UTF_8)
                .replace("\"schemaVersion\" : \"1.2\"", "\"schemaVersion\" : \"1.7\", \"futureField\" : {\"x\": 1}");
        ArchImageRecord r = ArchImageRecord.fromJson(json.getBytes(StandardCharsets.UTF_8), "f.json");
        assertThat(r.schemaVersion()).isEqualTo("1.7");
        assertThat(r.platform()).isEqualTo(Platform.parse("linux/amd64"));
    }

    @Test
    void brokenRecordsAreOneClearError() throws IOException {
        assertThatThrownBy(() -> ArchImageRecord.fromJson("{not json".getBytes(StandardCharsets.UTF_8), "a.json"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("a.json")
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> ArchImageRecord.fromJson(
                        "{\"schemaVersion\":\"one\"}".getBytes(StandardCharsets.UTF_8), "b.json"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("b.json")
                .hasMessageContaining("major.minor");
        String noDigest = new String(sample("linux/amd64", "amd64").toJson(), StandardCharsets.UTF_8)
                .replaceAll("\"digest\" : \"[^\"]+\",", "");
        assertThatThrownBy(() -> ArchImageRecord.fromJson(noDigest.getBytes(StandardCharsets.UTF_8), "c.json"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("c.json")
                .hasMessageContaining("'digest'");
        assertThatThrownBy(() -> RecordStore.readAll(dir.resolve("none")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("does not exist");
        Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> RecordStore.readAll(dir.resolve("empty")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no record");
    }

    @Test
    void buildArgValuesAreNeverPartOfARecord() {
        String json = new String(sample("linux/amd64", "amd64").toJson(), StandardCharsets.UTF_8);
        assertThat(json).contains("PIP_INDEX_TOKEN");
        assertThat(ArchImageRecord.class.getRecordComponents())
                .extracting(c -> c.getType().getSimpleName())
                .doesNotContain("Map");
    }
}
