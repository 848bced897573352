package io.jenkins.plugins.multiarch.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A big blob across registries is streamed, not held: while the source has sent only the first 8 MiB of a 64 MiB
 * layer (and waits), the destination registry is already writing that layer's upload; a download cut in the middle
 * restarts that blob, and what arrives is byte for byte the source's.
 */
class CopyStreamingTest {

    private static final int BIG = 64 * 1024 * 1024;
    private static final long FIRST_PART = 8L * 1024 * 1024;

    @RegisterExtension
    static final RegistryExtension<RegistryServer> source = RegistryExtension.plain();

    @RegisterExtension
    static final RegistryExtension<RegistryServer> destination = RegistryExtension.plain();

    private static String bigLayer;
    private static String bigImage;

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final LogListener listener = (level, message) -> log.add(level + " " + message);

    /** One image with a 64 MiB layer (random bytes: registries do not look inside layers, and neither does a copy). */
    @BeforeAll
    static void pushBigImage() {
        TestImages images = source.images();
        byte[] layer = TestImages.randomBytes(BIG);
        bigLayer = images.pushBlob("big/app", layer);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
                        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + bigLayer + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
        String configDigest = images.pushBlob("big/app", config);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + configDigest + "\",\"size\":" + config.length + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\""
                + bigLayer + "\",\"size\":" + BIG + "}]}";
        bigImage = images.pushManifest(
                        "big/app",
                        "1",
                        "application/vnd.oci.image.manifest.v1+json",
                        manifest.getBytes(StandardCharsets.UTF_8))
                .digest();
    }

    private RegistryClient client(String sourceHost) {
        return new RegistryClient(RegistrySettings.builder()
                .listener(listener)
                .retries(5, Duration.ofSeconds(120))
                .retryBackoff(Duration.ofMillis(20))
                .insecureRegistry(sourceHost)
                .insecureRegistry(destination.get().hostPort())
                .build());
    }

    @Test
    void theDestinationReceivesTheLayerWhileTheSourceIsStillSendingIt() throws Exception {
        try (SourceTap tap = new SourceTap(source.get()).stallBlob(bigLayer, FIRST_PART)) {
            RegistryClient client = client(tap.hostPort());
            CompletableFuture<CopyResult> copy = CompletableFuture.supplyAsync(() -> new Copier(client, listener)
                    .copy(CopyRequest.of(
                            ImageReference.parse(tap.hostPort() + "/big/app:1"),
                            List.of(CopyTarget.of(
                                    ImageReference.parse(destination.get().hostPort() + "/stream/app"), List.of())))));
            try {
                assertThat(tap.awaitStall(Duration.ofSeconds(60)))
                        .as("the copy never got to the middle of the layer: " + String.join("\n", log))
                        .isTrue();
                // A copy that buffered the blob (in memory or a file) would not send a byte before the GET ended:
                // here the source has sent 8 of 64 MiB and waits, and the destination must already be storing it.
                long uploaded =
                        waitForUploadBytes(destination.get().storageDir(), "stream/app", Duration.ofSeconds(30));
                assertThat(uploaded)
                        .as("bytes of the layer the destination stored while the source was paused")
                        .isPositive()
                        .isLessThanOrEqualTo(FIRST_PART);
            } finally {
                tap.release();
            }
            CopyResult result = copy.get(120, TimeUnit.SECONDS);
            assertThat(result.success()).as(String.join("\n", log)).isTrue();
            assertThat(result.destinations().get(0).bytesCopied()).isGreaterThanOrEqualTo(BIG);
            assertThat(tap.blobGets()).isEqualTo(1);
        }
        assertThat(TestImages.sha256(destination.images().getBlob("stream/app", bigLayer)))
                .isEqualTo(bigLayer);
        CopyTest.assertSameAtBothEnds(source.images(), "big/app", destination.images(), "stream/app", "1");
    }

    @Test
    void aDownloadCutInTheMiddleOfTheLayerRestartsThatBlob() {
        try (SourceTap tap = new SourceTap(source.get()).cutBlob(bigLayer, FIRST_PART, 1)) {
            RegistryClient client = client(tap.hostPort());
            CopyResult result = new Copier(client, listener)
                    .copy(CopyRequest.of(
                            ImageReference.parse(tap.hostPort() + "/big/app@" + bigImage),
                            List.of(CopyTarget.of(
                                    ImageReference.parse(destination.get().hostPort() + "/cut/app"), List.of("1")))));
            assertThat(result.success()).as(String.join("\n", log)).isTrue();
            assertThat(tap.cutsDone()).isEqualTo(1);
            assertThat(tap.blobGets()).isEqualTo(2); // the cut download, then the whole blob again
            assertThat(String.join("\n", log)).contains("upload session 1 failed");
        }
        assertThat(TestImages.sha256(destination.images().getBlob("cut/app", bigLayer)))
                .isEqualTo(bigLayer);
        CopyTest.assertSameAtBothEnds(source.images(), "big/app", destination.images(), "cut/app", "1");
    }

    @Test
    void aBlobThatKeepsFlowingMayTakeLongerThanOneRequestsTimeout() {
        // 64 MiB at 16 MiB/s: about 4 s for the one streamed PUT, twice the per-request timeout; it flows all the
        // time, so only the call's deadline (60 s) bounds it, never the 2 s a request without progress gets. A
        // registry of its own: the shared destination holds the layer already (a mount, not a stream)
        try (RegistryServer fresh = RegistryServer.plain();
                SourceTap tap = new SourceTap(source.get()).throttleBlob(bigLayer, 16L * 1024 * 1024)) {
            RegistryClient client = new RegistryClient(RegistrySettings.builder()
                    .listener(listener)
                    .retries(3, Duration.ofSeconds(60))
                    .retryBackoff(Duration.ofMillis(20))
                    .requestTimeout(Duration.ofSeconds(2))
                    .insecureRegistry(tap.hostPort())
                    .insecureRegistry(fresh.hostPort())
                    .build());
            long start = System.nanoTime();
            CopyResult result = new Copier(client, listener)
                    .copy(CopyRequest.of(
                            ImageReference.parse(tap.hostPort() + "/big/app:1"),
                            List.of(CopyTarget.of(ImageReference.parse(fresh.hostPort() + "/slow/app"), List.of()))));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(result.success()).as(String.join("\n", log)).isTrue();
            assertThat(result.destinations().get(0).bytesCopied()).isGreaterThanOrEqualTo(BIG);
            assertThat(took)
                    .as("the upload really outlasted one request's timeout")
                    .isGreaterThan(Duration.ofSeconds(3));
            assertThat(tap.blobGets()).as("one download, never restarted").isEqualTo(1);
            assertThat(TestImages.sha256(TestImages.forRegistry(fresh).getBlob("slow/app", bigLayer)))
                    .isEqualTo(bigLayer);
        }
    }

    @Test
    void aSourceThatStopsSendingFailsThatDestinationInsteadOfHanging() {
        try (SourceTap tap = new SourceTap(source.get()).stallBlob(bigLayer, FIRST_PART)) {
            RegistryClient client = new RegistryClient(RegistrySettings.builder()
                    .listener(listener)
                    .retries(3, Duration.ofSeconds(60))
                    .retryBackoff(Duration.ofMillis(20))
                    .requestTimeout(Duration.ofSeconds(2))
                    .insecureRegistry(tap.hostPort())
                    .insecureRegistry(destination.get().hostPort())
                    .build());
            long start = System.nanoTime();
            CopyResult result = new Copier(client, listener)
                    .copy(CopyRequest.of(
                            ImageReference.parse(tap.hostPort() + "/big/app:1"),
                            List.of(CopyTarget.of(
                                    ImageReference.parse(destination.get().hostPort() + "/stalled/app"), List.of()))));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // three sessions, each given up after 2 s without a byte: not the 120 s the source would stall
            assertThat(took).isLessThan(Duration.ofSeconds(40));
            assertThat(result.success()).isFalse();
            assertThat(result.exitCode()).isEqualTo(4);
            assertThat(result.destinations().get(0).error()).contains("copy blob " + bigLayer);
            assertThat(tap.blobGets()).isEqualTo(3);
            assertThat(destination.images().getManifest("stalled/app", "1").status())
                    .isEqualTo(404);
        }
    }

    /** The largest upload file the registry has under the repository's {@code _uploads}, once it is non-empty. */
    private static long waitForUploadBytes(Path storage, String repository, Duration timeout)
            throws InterruptedException {
        Path uploads = storage.resolve("docker/registry/v2/repositories/" + repository + "/_uploads");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long size = largestDataFile(uploads);
            if (size > 0) {
                return size;
            }
            Thread.sleep(50);
        }
        return largestDataFile(uploads);
    }

    private static long largestDataFile(Path uploads) {
        if (!Files.isDirectory(uploads)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(uploads)) {
            return files.filter(p -> p.getFileName().toString().equals("data"))
                    .mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException gone) {
                            return 0;
                        }
                    })
                    .max()
                    .orElse(0);
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }
}
