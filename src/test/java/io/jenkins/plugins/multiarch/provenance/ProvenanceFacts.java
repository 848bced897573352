package io.jenkins.plugins.multiarch.provenance;

import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.Platform;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Facts of a build as the builder would have them, for the provenance tests. */
final class ProvenanceFacts {

    /** Build arguments with values that must never reach a statement. */
    static final Map<String, String> BUILD_ARGS = new LinkedHashMap<>();

    static {
        BUILD_ARGS.put("NPM_TOKEN", "npm_s3cr3t-value-0042");
        BUILD_ARGS.put("APP_VERSION", "9.8.7-build-value");
    }

    static final String DOCKERFILE = "FROM busybox:1.36\nARG APP_VERSION\nRUN echo $APP_VERSION > /v\n";

    private ProvenanceFacts() {}

    static BuildFacts.Builder arm64() {
        return BuildFacts.builder()
                .builderId("https://ci.example/job/app/42/")
                .invocationId("job/app#42")
                .agentName("arm64-agent-1")
                .nodeLabel("linux && arm64")
                .emulated(false)
                .source("https://github.com/example/app.git", "4b220de5058abfd01ff619c9d2ff6b09a049bea0")
                .builder("docker", "27.5.1")
                .multiarchVersion("1.0-test")
                .buildArgNames(BUILD_ARGS.keySet())
                .baseImage(
                        "busybox:1.36",
                        Digest.parse("sha256:a9b24b67dc83b3383d22a14941c2b2b2ca6a103d805cac6820fd1355943beaf1"))
                .dockerfile("Dockerfile", Digest.sha256(DOCKERFILE.getBytes(StandardCharsets.UTF_8)))
                .platform(Platform.parse("linux/arm64"))
                .times(Instant.parse("2026-12-01T12:00:00Z"), Instant.parse("2026-12-01T12:01:30.250Z"));
    }
}
