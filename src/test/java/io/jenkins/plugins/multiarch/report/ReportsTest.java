package io.jenkins.plugins.multiarch.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import io.jenkins.plugins.multiarch.publish.PublishResult.Child;
import io.jenkins.plugins.multiarch.publish.PublishResult.TagOutcome;
import io.jenkins.plugins.multiarch.publish.PublishResult.Transfer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The human table, the JSON and the pull commands of a publish result. */
class ReportsTest {
    private static final ImageReference TARGET = ImageReference.parse("registry.example:5000/onap/py-app");
    private static final Digest LIST = Digest.sha256("list".getBytes(StandardCharsets.UTF_8));
    private static final Digest AMD = Digest.sha256("amd".getBytes(StandardCharsets.UTF_8));
    private static final Digest ARM = Digest.sha256("arm".getBytes(StandardCharsets.UTF_8));
    private static final Digest PREVIOUS = Digest.sha256("old".getBytes(StandardCharsets.UTF_8));

    private static PublishResult result(boolean dryRun) {
        List<Child> children = List.of(
                new Child(
                        Platform.parse("linux/amd64"),
                        AMD,
                        MediaType.DOCKER_MANIFEST,
                        528,
                        ImageReference.parse("registry.example:5000/onap/py-app-amd64"),
                        "--source a",
                        Transfer.MOUNTED,
                        Map.of(),
                        false,
                        null,
                        3_250_000),
                new Child(
                        Platform.parse("linux/arm64/v8"),
                        ARM,
                        MediaType.DOCKER_MANIFEST,
                        529,
                        ImageReference.parse("registry.example:5000/onap/py-app-arm64v8"),
                        "--source b",
                        Transfer.COPIED,
                        Map.of(),
                        false,
                        null));
        List<TagOutcome> tags = dryRun
                ? List.of(new TagOutcome("1.0", TagOutcome.Status.PLANNED, null))
                : List.of(
                        new TagOutcome("1.0", TagOutcome.Status.CREATED, null),
                        new TagOutcome("latest", TagOutcome.Status.UPDATED, PREVIOUS));
        return new PublishResult(
                TARGET,
                LIST,
                MediaType.DOCKER_MANIFEST_LIST,
                700,
                new byte[] {1, 2},
                children,
                tags,
                List.of(Platform.parse("linux/s390x")),
                List.of("a note"),
                14,
                dryRun);
    }

    @Test
    void tableNamesTheListEveryPlatformTagAndPullCommand() {
        String table = Reports.publishTable(result(false));
        assertThat(table)
                .startsWith("Published registry.example:5000/onap/py-app@" + LIST)
                .contains("Docker manifest list, 2 platforms, 700 bytes, 14 HTTP requests")
                .contains("linux/arm64/v8")
                .contains(Wording.shortDigest(ARM.toString()))
                .contains("IMAGE SIZE")
                .contains("MANIFEST")
                .contains("3.1 MiB")
                .contains("528 B")
                .contains("copied")
                .contains("mounted")
                .contains("tag registry.example:5000/onap/py-app:latest: updated (was " + PREVIOUS + ")")
                .contains("tag registry.example:5000/onap/py-app:1.0: created")
                .contains("missing optional platform, left out: linux/s390x")
                .contains("note: a note")
                .contains("docker pull registry.example:5000/onap/py-app@" + LIST)
                .contains("docker pull --platform linux/arm64 registry.example:5000/onap/py-app:1.0");
        assertThat(Reports.publishTable(result(true))).startsWith("Dry run, nothing written: would publish");
        // the table fits a 120-column console (the tag lines carry full digests to copy, on lines of their own)
        assertThat(table.lines().filter(l -> l.startsWith("  PLATFORM") || l.startsWith("  linux/")))
                .hasSize(3)
                .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(120));
        assertThat(table).doesNotContain("OS VERSION");
    }

    @Test
    void windowsChildrenShowTheirOsVersionInTableAndJson() throws Exception {
        Platform windows = new Platform("windows", "amd64", null, "10.0.17763.1234", List.of());
        Child child = new Child(
                windows,
                AMD,
                MediaType.DOCKER_MANIFEST,
                900,
                ImageReference.parse("registry.example:5000/onap/py-app-windows"),
                "--source w",
                Transfer.PRESENT,
                Map.of(),
                false,
                null,
                -1);
        PublishResult r = new PublishResult(
                TARGET,
                LIST,
                MediaType.DOCKER_MANIFEST_LIST,
                300,
                new byte[] {1},
                List.of(child),
                List.of(new TagOutcome("1.0", TagOutcome.Status.CREATED, null)),
                List.of(),
                List.of(),
                3,
                false);
        String table = Reports.publishTable(r);
        assertThat(table).contains("OS VERSION").contains("10.0.17763.1234");
        JsonNode json = new ObjectMapper().readTree(Reports.publishJson(r));
        assertThat(json.get("children").get(0).get("osVersion").asText()).isEqualTo("10.0.17763.1234");
        assertThat(json.get("children").get(0).has("imageSize")).isFalse();
    }

    @Test
    void inspectTableNamesTheImageSizeAndShowsOsVersion() {
        Platform windows = new Platform("windows", "amd64", null, "10.0.20348.2340", List.of());
        byte[] childBytes = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        RawManifest child = new RawManifest(childBytes, MediaType.DOCKER_MANIFEST, Digest.sha256(childBytes));
        Descriptor entry = new Descriptor(
                MediaType.DOCKER_MANIFEST,
                child.digest(),
                child.size(),
                windows,
                new LinkedHashMap<>(),
                List.of(),
                null);
        byte[] listBytes = "{\"manifests\":[]}".getBytes(StandardCharsets.UTF_8);
        RawManifest list = new RawManifest(listBytes, MediaType.DOCKER_MANIFEST_LIST, Digest.sha256(listBytes));
        long imageSize = 5L * 1024 * 1024;
        Inspection i = new Inspection(
                TARGET.withTag("1.0"),
                list,
                List.of(new Inspection.Entry(entry, child, windows, child.size() + imageSize, false)));
        String table = Reports.inspectTable(i);
        assertThat(table)
                .contains("IMAGE SIZE")
                .contains("5.0 MiB")
                .contains("OS VERSION")
                .contains("10.0.20348.2340");
    }

    @Test
    void jsonCarriesEverythingScriptsNeed() throws Exception {
        JsonNode json = new ObjectMapper().readTree(Reports.publishJson(result(false)));
        assertThat(json.get("digest").asText()).isEqualTo(LIST.toString());
        assertThat(json.get("reference").asText()).isEqualTo("registry.example:5000/onap/py-app@" + LIST);
        assertThat(json.get("mediaType").asText()).isEqualTo(MediaType.DOCKER_MANIFEST_LIST.value());
        assertThat(json.get("requestCount").asInt()).isEqualTo(14);
        assertThat(json.get("tags").get(1).get("status").asText()).isEqualTo("updated");
        assertThat(json.get("tags").get(1).get("previous").asText()).isEqualTo(PREVIOUS.toString());
        assertThat(json.get("children").get(1).get("platform").asText()).isEqualTo("linux/arm64/v8");
        assertThat(json.get("children").get(1).get("transfer").asText()).isEqualTo("copied");
        assertThat(json.get("missingOptionalPlatforms").get(0).asText()).isEqualTo("linux/s390x");
        assertThat(json.get("pullCommands")).hasSize(3);
    }
}
