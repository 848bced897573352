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
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real buildah 1.28 and a real registry: {@code --cache REPO} is {@code --layers --cache-from/--cache-to
 * REPO-buildcache-<arch>}. Each build gets a fresh storage (a fresh agent), so a cache hit can only come from the
 * registry.
 */
class BuildahBuildCacheTest {

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry =
            RegistryExtension.plain().requiring(Component.BUILDAH, Component.BUSYBOX);

    static RegistryClient client;

    @TempDir
    static Path storage;

    @TempDir
    Path dir;

    private static int stores;

    @BeforeAll
    static void start() {
        client = BuildFixtures.client(registry.get(), CredentialsSource.none());
    }

    /** buildah with a storage of its own: nothing cached locally. */
    private static BuildahBuilder freshBuildah() {
        int n = ++stores;
        return BuildahBuilder.builder()
                .root(storage.resolve("root-" + n))
                .runRoot(storage.resolve("run-" + n))
                .insecureRegistry(registry.get().hostPort())
                .registryClient(client)
                .build();
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

    @Test
    void aSecondBuildOfAnUnchangedContextOnAFreshStoreUsesTheCacheAndIsFaster() {
        Path ctx = CacheContexts.busybox(
                dir.resolve("ctx"),
                Components.busyboxAmd64(),
                "RUN sleep 3 && echo cached > /cached\nCOPY hello.txt /\n");
        BuildCache cache = BuildCache.parse(registry.get().ref("b/speed-cache"));
        ImageReference repo = cache.repositoryFor(Platform.parse("linux/amd64"));

        BuildFixtures.CapturingListener first = new BuildFixtures.CapturingListener();
        long t0 = System.nanoTime();
        ArchImageRecord one = freshBuildah().build(request(ctx, "linux/amd64", "b/speed", cache), first);
        Duration firstTime = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(CacheContexts.linesWith(first, "no step was found in the build cache " + repo))
                .as("a missing cache is one line")
                .hasSize(1);
        assertThat(first.text()).contains("--> Pushing cache " + repo + ":").doesNotContain("Cache pulled");
        assertThat(CacheContexts.tags(registry.get(), client, repo))
                .as("buildah wrote one cache image per step (COPY rootfs, RUN, COPY, and the labels)")
                .hasSizeGreaterThanOrEqualTo(3);

        BuildFixtures.CapturingListener second = new BuildFixtures.CapturingListener();
        long t1 = System.nanoTime();
        ArchImageRecord two = freshBuildah().build(request(ctx, "linux/amd64", "b/speed", cache), second);
        Duration secondTime = Duration.ofNanos(System.nanoTime() - t1);

        System.out.println("[BuildahBuildCacheTest] first build (no cache) " + firstTime.toMillis()
                + " ms, second build (cache from the registry, fresh store) " + secondTime.toMillis() + " ms");
        assertThat(CacheContexts.linesWith(second, "--> Cache pulled from remote " + repo + ":"))
                .as(second.text())
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(CacheContexts.linesWith(second, "--> Using cache")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(second.text()).doesNotContain("no step was found in the build cache");
        assertThat(secondTime).as("the 3 s RUN step came from the cache").isLessThan(firstTime.minusMillis(1500));
        assertThat(two.digest())
                .as("an unchanged context rebuilds to the same image")
                .isEqualTo(one.digest());
    }

    @Test
    void buildingArm64WithTheCacheNeverChangesTheAmd64Cache() {
        BuildCache cache = BuildCache.parse(registry.get().ref("b/two-cache"));
        ImageReference amd64Repo = cache.repositoryFor(Platform.parse("linux/amd64"));
        ImageReference arm64Repo = cache.repositoryFor(Platform.parse("linux/arm64"));
        freshBuildah()
                .build(
                        request(
                                CacheContexts.busybox(
                                        dir.resolve("amd64"), Components.busyboxAmd64(), "COPY hello.txt /\n"),
                                "linux/amd64",
                                "b/two",
                                cache),
                        new BuildFixtures.CapturingListener());
        Map<String, Digest> before = CacheContexts.tags(registry.get(), client, amd64Repo);
        assertThat(before).isNotEmpty();

        // tiny on purpose: arm64 runs under qemu here, and COPY needs no emulation
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        freshBuildah()
                .build(
                        request(
                                CacheContexts.busybox(
                                        dir.resolve("arm64"), Components.busyboxArm64(), "COPY hello.txt /\n"),
                                "linux/arm64",
                                "b/two",
                                cache),
                        log);

        assertThat(CacheContexts.tags(registry.get(), client, amd64Repo))
                .as("every tag of the amd64 cache points where it did")
                .isEqualTo(before);
        assertThat(CacheContexts.tags(registry.get(), client, arm64Repo))
                .as("arm64 wrote its own")
                .isNotEmpty();
        assertThat(log.text()).doesNotContain(amd64Repo.toString());
    }
}
