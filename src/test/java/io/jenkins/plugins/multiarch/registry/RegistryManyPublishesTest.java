package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.PublishRequest;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import io.jenkins.plugins.multiarch.publish.Publisher;
import io.jenkins.plugins.multiarch.publish.SourceSpec;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Publishes through the registry client's connections, against a real registry: many at once in one JVM (as a
 * controller runs them), and the order of the per-arch steps (every blob in before any child manifest).
 */
class RegistryManyPublishesTest {

    private static final List<String> PLATFORMS = List.of("linux/amd64", "linux/arm64/v8", "linux/arm/v7", "linux/386");

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain();

    private static List<String> sameRepo = new ArrayList<>();
    private static List<String> perArch = new ArrayList<>();

    @BeforeAll
    static void pushImages() {
        TestImages images = registry.images();
        for (String p : PLATFORMS) {
            TestImages.Pushed same = images.pushImage("many/app", null, p, TestImages.Format.DOCKER);
            sameRepo.add("many/app@" + same.digest() + "=" + p);
            String repo = "many/app-" + p.replace('/', '-');
            images.pushImage(repo, "1", p, TestImages.Format.DOCKER);
            perArch.add(repo + ":1=" + p);
        }
    }

    private static PublishRequest request(String host, String target, List<String> sources, String tag) {
        List<SourceSpec> specs = new ArrayList<>();
        for (String s : sources) {
            int eq = s.lastIndexOf('=');
            specs.add(new SourceSpec(
                    ImageReference.parse(host + "/" + s.substring(0, eq)),
                    Platform.parse(s.substring(eq + 1)),
                    "test " + s));
        }
        return PublishRequest.builder()
                .target(host + "/" + target)
                .tags(List.of(tag + "-1.0", tag + "-latest"))
                .sources(specs)
                .build();
    }

    private static int publishThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("multiarch-publish"))
                .count();
    }

    @Test
    void manyPublishesAtOnceShareBoundedThreadsAndAtMostEightConnections() throws Exception {
        int publishes = 24;
        try (ConnectionCounter counter = new ConnectionCounter(registry.get().hostPort(), Duration.ofMillis(30))) {
            ExecutorService builds = Executors.newFixedThreadPool(publishes);
            AtomicInteger peakThreads = new AtomicInteger();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (running.get()) {
                    peakThreads.accumulateAndGet(publishThreads(), Math::max);
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            CountDownLatch go = new CountDownLatch(1);
            try {
                List<Future<PublishResult>> results = new ArrayList<>();
                for (int i = 0; i < publishes; i++) {
                    String tag = "many" + i;
                    results.add(builds.submit(() -> {
                        go.await();
                        // a client per publish, as the Jenkins step makes one
                        RegistryClient client = new RegistryClient(RegistrySettings.builder()
                                .insecureRegistry(counter.hostPort())
                                .listener(LogListener.NONE)
                                .build());
                        return new Publisher(client, LogListener.NONE)
                                .publish(request(counter.hostPort(), "many/app", sameRepo, tag));
                    }));
                }
                go.countDown();
                for (Future<PublishResult> r : results) {
                    assertThat(r.get().children()).hasSize(PLATFORMS.size());
                }
            } finally {
                running.set(false);
                sampler.join();
                builds.shutdownNow();
            }
            assertThat(counter.peakOpen()).isLessThanOrEqualTo(OriginLimits.HTTP1_MAX);
            // one shared pool: bounded however many publishes run (here each has 4 children and 2 tags)
            assertThat(peakThreads.get()).isPositive().isLessThanOrEqualTo(64);
        }
    }

    @Test
    void perArchChildrenGetEveryBlobMountedBeforeAnyOfTheirManifestsIsPut() {
        int mark = registry.get().mark();
        RegistryClient client = new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(registry.get().hostPort())
                .build());

        PublishResult result = new Publisher(client, LogListener.NONE)
                .publish(request(registry.get().hostPort(), "many/merged", perArch, "merged"));

        assertThat(result.children()).hasSize(PLATFORMS.size());
        List<RegistryServer.Request> seen = registry.get().requestsSince(mark);
        List<Integer> mounts = new ArrayList<>();
        List<Integer> childPuts = new ArrayList<>();
        for (int i = 0; i < seen.size(); i++) {
            RegistryServer.Request r = seen.get(i);
            if (r.method().equals("POST") && r.path().contains("mount=")) {
                mounts.add(i);
            }
            if (r.method().equals("PUT") && r.path().contains("/manifests/sha256:")) {
                childPuts.add(i);
            }
        }
        // each child: a config and one layer, all distinct
        assertThat(mounts).hasSize(2 * PLATFORMS.size());
        assertThat(childPuts).hasSize(PLATFORMS.size());
        assertThat(mounts.get(mounts.size() - 1)).isLessThan(childPuts.get(0));
    }
}
