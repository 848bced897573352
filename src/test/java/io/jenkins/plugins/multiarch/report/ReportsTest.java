package io.jenkins.plugins.multiarch.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import io.jenkins.plugins.multiarch.publish.PublishResult.Child;
import io.jenkins.plugins.multiarch.publish.PublishResult.TagOutcome;
import io.jenkins.plugins.multiarch.publish.PublishResult.Transfer;
import java.nio.charset.StandardCharsets;
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
                        null),
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
                .contains(ARM.toString())
                .contains("copied")
                .contains("mounted")
                .contains("tag registry.example:5000/onap/py-app:latest: updated (was " + PREVIOUS + ")")
                .contains("tag registry.example:5000/onap/py-app:1.0: created")
                .contains("missing optional platform, left out: linux/s390x")
                .contains("note: a note")
                .contains("docker pull registry.example:5000/onap/py-app@" + LIST)
                .contains("docker pull --platform linux/arm64 registry.example:5000/onap/py-app:1.0");
        assertThat(Reports.publishTable(result(true))).startsWith("Dry run, nothing written: would publish");
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
