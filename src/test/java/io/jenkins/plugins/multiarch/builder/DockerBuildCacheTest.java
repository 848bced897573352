package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Docker Engine (classic builder) and a real registry: {@code --cache REPO} keeps one cache image per
 * platform at {@code REPO:buildcache-<arch>}. Between builds the engine's local images of the test's repositories
 * are removed, as on a fresh agent, so a cache hit can only come from the registry.
 */
class DockerBuildCacheTest {

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry =
            RegistryExtension.plain().requiring(Component.DOCKERD, Component.DOCKER_CLI, Component.BUSYBOX);

    static RegistryClient client;
    static DockerEngineBuilder docker;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        client = BuildFixtures.client(registry.get(), CredentialsSource.none());
        docker = DockerEngineBuilder.builder()
                .dockerHost(Components.dockerHost())
                .registryClient(client)
                .build();
    }

    @AfterAll
    static void stop() {
        if (docker != null) {
            docker.close();
        }
    }

    private BuildRequest request(Path context, String platform, String repo, BuildCache cache) {
        return BuildRequest.builder()
                .context(context)
                .platform(platform)
                .allowEmulation(true)
                .image(registry.get().ref(repo))
                .sourceDateEpoch("1600000000")
                .cache(cache)
                .build();
    }

    /** Removes the engine's images of this registry (every tag of the test's repositories): a fresh agent. */
    private static void forgetLocalImages() {
        String prefix = registry.get().hostPort() + "/";
        List<String> ids = new ArrayList<>();
        for (String line : BuildFixtures.docker("images", "--format", "{{.Repository}} {{.ID}}")
                .lines()
                .toList()) {
            if (line.startsWith(prefix)) {
                ids.add(line.substring(line.indexOf(' ') + 1));
            }
        }
        if (!ids.isEmpty()) {
            List<String> rmi = new ArrayList<>(List.of("rmi", "-f"));
            ids.stream().distinct().forEach(rmi::add);
            BuildFixtures.docker(rmi.toArray(String[]::new));
        }
    }

    @Test
    void aSecondBuildOfAnUnchangedContextOnAFreshEngineUsesTheCacheAndIsFaster() {
        Path ctx = CacheContexts.busybox(
                dir.resolve("ctx"),
                Components.busyboxAmd64(),
                "RUN sleep 3 && echo cached > /cached\nCOPY hello.txt /\n");
        BuildCache cache = BuildCache.parse(registry.get().ref("c/speed-cache"));
        forgetLocalImages();

        BuildFixtures.CapturingListener first = new BuildFixtures.CapturingListener();
        long t0 = System.nanoTime();
        ArchImageRecord one = docker.build(request(ctx, "linux/amd64", "c/speed", cache), first);
        Duration firstTime = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(CacheContexts.linesWith(first, "build cache"))
                .as("a missing cache is one line, then the export")
                .hasSize(2);
        assertThat(CacheContexts.linesWith(
                        first, "no build cache at " + cache.imageFor(Platform.parse("linux/amd64")) + " yet"))
                .hasSize(1);
        assertThat(first.text()).doesNotContain("Using cache").doesNotContain("WARN");
        Digest cached = CacheContexts.digestOf(client, cache.imageFor(Platform.parse("linux/amd64")));
        assertThat(cached).as("the built image is the platform's cache").isEqualTo(one.digest());

        forgetLocalImages();
        BuildFixtures.CapturingListener second = new BuildFixtures.CapturingListener();
        long t1 = System.nanoTime();
        ArchImageRecord two = docker.build(request(ctx, "linux/amd64", "c/speed", cache), second);
        Duration secondTime = Duration.ofNanos(System.nanoTime() - t1);

        System.out.println("[DockerBuildCacheTest] first build (no cache) " + firstTime.toMillis()
                + " ms, second build (cache from the registry, fresh engine store) " + secondTime.toMillis() + " ms");
        assertThat(second.text()).contains("using the build cache " + cache.imageFor(Platform.parse("linux/amd64")));
        assertThat(CacheContexts.linesWith(second, "Using cache"))
                .as("the classic builder's cache hits: COPY rootfs, RUN, COPY, LABEL")
                .hasSizeGreaterThanOrEqualTo(3);
        assertThat(secondTime).as("the 3 s RUN step came from the cache").isLessThan(firstTime.minusMillis(1500));
        assertThat(two.digest())
                .as("an unchanged context rebuilds to the same image")
                .isEqualTo(one.digest());
    }

    @Test
    void buildingArm64WithTheCacheNeverChangesTheAmd64Cache() {
        BuildCache cache = BuildCache.parse(registry.get().ref("c/two-cache"));
        ImageReference amd64Cache = cache.imageFor(Platform.parse("linux/amd64"));
        ImageReference arm64Cache = cache.imageFor(Platform.parse("linux/arm64"));
        docker.build(
                request(
                        CacheContexts.busybox(dir.resolve("amd64"), Components.busyboxAmd64(), "COPY hello.txt /\n"),
                        "linux/amd64",
                        "c/two",
                        cache),
                new BuildFixtures.CapturingListener());
        Digest before = CacheContexts.digestOf(client, amd64Cache);
        assertThat(before).isNotNull();

        // tiny on purpose: arm64 runs under qemu here, and COPY needs no emulation
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        ArchImageRecord arm = docker.build(
                request(
                        CacheContexts.busybox(dir.resolve("arm64"), Components.busyboxArm64(), "COPY hello.txt /\n"),
                        "linux/arm64",
                        "c/two",
                        cache),
                log);

        assertThat(CacheContexts.digestOf(client, amd64Cache))
                .as("the amd64 cache is untouched")
                .isEqualTo(before);
        assertThat(CacheContexts.digestOf(client, arm64Cache))
                .as("arm64 wrote its own")
                .isEqualTo(arm.digest())
                .isNotEqualTo(before);
        assertThat(log.text()).doesNotContain(amd64Cache.toString());
    }

    @Test
    void aCacheOfAnotherPlatformIsIgnoredWithOneLineAndReplaced() {
        BuildCache cache = BuildCache.parse(registry.get().ref("c/wrong-cache"));
        ArchImageRecord amd = docker.build(
                request(
                        CacheContexts.busybox(dir.resolve("amd64"), Components.busyboxAmd64(), "COPY hello.txt /\n"),
                        "linux/amd64",
                        "c/wrong",
                        cache),
                new BuildFixtures.CapturingListener());
        // someone put the amd64 image where arm64's cache belongs
        ImageReference arm64Cache = cache.imageFor(Platform.parse("linux/arm64"));
        client.putManifest(arm64Cache, client.fetchManifest(cache.imageFor(Platform.parse("linux/amd64"))));
        assertThat(CacheContexts.digestOf(client, arm64Cache)).isEqualTo(amd.digest());
        forgetLocalImages();

        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        ArchImageRecord arm = docker.build(
                request(
                        CacheContexts.busybox(dir.resolve("arm64"), Components.busyboxArm64(), "COPY hello.txt /\n"),
                        "linux/arm64",
                        "c/wrong",
                        cache),
                log);

        List<String> cacheLines = CacheContexts.linesWith(log, "build cache " + arm64Cache);
        assertThat(cacheLines).as(log.text()).hasSize(2); // not used (one line), then written
        assertThat(cacheLines.get(0)).contains("not used").contains("building without it");
        assertThat(log.text()).doesNotContain("using the build cache");
        assertThat(arm.platform().architecture()).isEqualTo("arm64");
        assertThat(CacheContexts.digestOf(client, arm64Cache)).isEqualTo(arm.digest());
    }
}
