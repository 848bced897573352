package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.Platform;
import org.junit.jupiter.api.Test;

/** The one cache-reference rule (CLI --cache, the step, the form) and the per-platform names it gives. */
class BuildCacheTest {

    @Test
    void aRepositoryGivesOneDockerCacheTagPerPlatformInDockerLibraryNames() {
        BuildCache cache = BuildCache.parse("127.0.0.1:5000/onap/py-app-cache");
        assertThat(cache.imageFor(Platform.parse("linux/amd64")))
                .hasToString("127.0.0.1:5000/onap/py-app-cache:buildcache-amd64");
        assertThat(cache.imageFor(Platform.parse("linux/arm64")))
                .hasToString("127.0.0.1:5000/onap/py-app-cache:buildcache-arm64v8");
        assertThat(cache.imageFor(Platform.parse("linux/arm64/v8")))
                .as("the same platform, normalised")
                .isEqualTo(cache.imageFor(Platform.parse("linux/arm64")));
        assertThat(cache.imageFor(Platform.parse("linux/arm/v7")))
                .hasToString("127.0.0.1:5000/onap/py-app-cache:buildcache-arm32v7");
    }

    @Test
    void buildahGetsOneRepositoryPerPlatformBecauseItsTagsAreItsCacheKeys() {
        BuildCache cache = BuildCache.parse("registry.example/onap/py-app");
        assertThat(cache.repositoryFor(Platform.parse("linux/amd64")))
                .hasToString("registry.example/onap/py-app-buildcache-amd64");
        assertThat(cache.repositoryFor(Platform.parse("linux/arm64")))
                .hasToString("registry.example/onap/py-app-buildcache-arm64v8");
        assertThat(cache.repositoryFor(Platform.parse("linux/amd64")).tag()).isEmpty();
    }

    @Test
    void aTagADigestABlankOrAnInvalidReferenceIsRefusedNamingTheFix() {
        assertThatThrownBy(() -> BuildCache.parse("127.0.0.1:5000/c:latest"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("has a tag")
                .hasMessageContaining("give the repository alone (127.0.0.1:5000/c)");
        assertThatThrownBy(() -> BuildCache.parse("127.0.0.1:5000/c@sha256:" + "a".repeat(64)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("has a digest");
        assertThatThrownBy(() -> BuildCache.parse(" "))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> BuildCache.parse("127.0.0.1:5000/UPPER"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("cache: ");
        assertThat(BuildCache.parseOptional("  ")).isNull();
        assertThat(BuildCache.parseOptional(null)).isNull();
    }

    @Test
    void theRequestCarriesTheCacheToEveryPlatformAndTheLinePrefixChoice() {
        BuildRequest request = BuildRequest.builder()
                .context(java.nio.file.Path.of("."))
                .platform("linux/amd64")
                .image("127.0.0.1:5000/app")
                .cache(BuildCache.parse("127.0.0.1:5000/app-cache"))
                .build();
        assertThat(request.linePrefix()).isEqualTo("[linux/amd64] ");
        BuildRequest arm = request.withPlatform(Platform.parse("linux/arm64"));
        assertThat(arm.cache()).isEqualTo(request.cache());
        assertThat(arm.linePrefix()).isEqualTo("[linux/arm64] ");
        BuildRequest quiet = BuildRequest.builder()
                .context(java.nio.file.Path.of("."))
                .platform("linux/amd64")
                .image("127.0.0.1:5000/app")
                .platformPrefix(false)
                .build();
        assertThat(quiet.linePrefix()).isEmpty();
        assertThat(quiet.withPlatform(Platform.parse("linux/arm64")).linePrefix())
                .isEmpty();
    }
}
