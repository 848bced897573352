package io.jenkins.plugins.multiarch.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.BuildException;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.builder.BuildFixtures;
import io.jenkins.plugins.multiarch.builder.BuildRequest;
import io.jenkins.plugins.multiarch.builder.BuildahBuilder;
import io.jenkins.plugins.multiarch.builder.DockerEngineBuilder;
import io.jenkins.plugins.multiarch.builder.ImageBuilder;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.PublishRequest;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.RecordStore;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.testing.BaseImages;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof that the product works: the offline example built for linux/amd64 natively and linux/arm64
 * under qemu, by a real Docker Engine and by real buildah, pushed to a real registry, recorded with the
 * platform read back from the registry, published as one list, then pulled per platform and run.
 */
class MultiArchFlowEndToEndTest {

    static final Platform AMD64 = Platform.parse("linux/amd64");
    static final Platform ARM64 = Platform.parse("linux/arm64");

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain()
            .requiring(
                    Component.DOCKERD,
                    Component.DOCKER_CLI,
                    Component.BUILDAH,
                    Component.BUSYBOX,
                    Component.QEMU_AARCH64);

    static RegistryClient client;
    static BaseImages.Base base;

    @TempDir
    Path dir;

    @BeforeAll
    static void pushBaseAndNewClient() {
        base = BaseImages.push(registry.get());
        client = BuildFixtures.client(registry.get(), CredentialsSource.none());
    }

    private BuildRequest template(String repo, Naming naming) {
        return BuildRequest.builder()
                .context(BuildFixtures.offlineExample())
                .platform(AMD64)
                .image(registry.get().hostPort() + "/" + repo)
                .tag("1.0")
                .buildArg("BASE", base.reference())
                .allowEmulation(true)
                .naming(naming)
                .sourceRevision("e2e")
                .build();
    }

    @Test
    void dockerEngineBuildsAmd64NativelyAndArm64UnderQemuThenPublishes() {
        try (DockerEngineBuilder docker = DockerEngineBuilder.builder()
                .dockerHost(Components.dockerHost())
                .registryClient(client)
                .build()) {
            endToEnd(docker, "e2e/docker-app", Naming.REPO_SUFFIX, 2);
        }
    }

    @Test
    void buildahBuildsAmd64NativelyAndArm64UnderQemuThenPublishes() {
        BuildahBuilder buildah = BuildahBuilder.builder()
                .root(dir.resolve("buildah/root"))
                .runRoot(dir.resolve("buildah/run"))
                .insecureRegistry(registry.get().hostPort())
                .registryClient(client)
                .build();
        endToEnd(buildah, "e2e/buildah-app", Naming.DIGEST, 1);
    }

    private void endToEnd(ImageBuilder builder, String repo, Naming naming, int parallelism) {
        Instant start = Instant.now();
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        Path records = dir.resolve("records");
        MultiArchFlow.Result result = new MultiArchFlow(builder, client, log)
                .run(new MultiArchFlow.Request(
                        template(repo, naming), List.of(AMD64, ARM64), records, true, null, null, parallelism));
        Duration took = Duration.between(start, Instant.now());
        System.out.printf(
                "END-TO-END %s: %d ms (builds %d ms, publish %d ms)%n",
                builder.name(),
                took.toMillis(),
                result.buildTime().toMillis(),
                result.publishTime().toMillis());

        // records: one per platform, platform as read back from the registry, emulation marked
        assertThat(result.recordFiles()).hasSize(2).allMatch(Files::isRegularFile);
        List<ArchImageRecord> read = RecordStore.readAll(records);
        assertThat(read).hasSize(2);
        ArchImageRecord amd = read.stream()
                .filter(r -> r.platform().matches(AMD64))
                .findFirst()
                .orElseThrow();
        ArchImageRecord arm = read.stream()
                .filter(r -> r.platform().matches(ARM64))
                .findFirst()
                .orElseThrow();
        assertThat(amd.emulated()).isFalse();
        assertThat(arm.emulated()).isTrue();
        assertThat(Stream.of(amd, arm)).allMatch(r -> r.builder().equals(builder.name()) && r.naming() == naming);
        assertThat(amd.digest()).isNotEqualTo(arm.digest());
        assertThat(log.text()).contains("under emulation");
        if (parallelism > 1) {
            // --parallel honoured: the second platform's build started before the first one's push was confirmed
            String text = log.text();
            int secondStarted =
                    Math.max(text.indexOf("[linux/amd64] building"), text.indexOf("[linux/arm64] building"));
            int firstPushed = Math.min(
                    text.indexOf("[linux/amd64] pushed") < 0 ? Integer.MAX_VALUE : text.indexOf("[linux/amd64] pushed"),
                    text.indexOf("[linux/arm64] pushed") < 0
                            ? Integer.MAX_VALUE
                            : text.indexOf("[linux/arm64] pushed"));
            assertThat(secondStarted).as(text).isPositive().isLessThan(firstPushed);
        }

        // the list: both children, verified
        PublishResult published = result.publishResult().orElseThrow();
        assertThat(published.images()).hasSize(2);
        assertThat(published.child(ARM64).orElseThrow().digest()).isEqualTo(arm.digest());
        assertThat(published.child(AMD64).orElseThrow().digest()).isEqualTo(amd.digest());

        // digest naming: the temporary tags are deleted where the registry can delete a tag alone; distribution 2.8
        // cannot, so they stay and the flow says so once (the images themselves are never deleted)
        if (naming == Naming.DIGEST) {
            assertThat(log.text()).contains("left 2 temporary tag(s) in place");
            assertThat(amd.pushed())
                    .anySatisfy(p -> assertThat(p.tag())
                            .hasValueSatisfying(t -> assertThat(t).startsWith("build-")));
        }

        // what a user would do: pull per platform and run
        String image = registry.get().hostPort() + "/" + repo + ":1.0";
        assertThat(BuildFixtures.pullAndRun(image, "linux/arm64")).isEqualTo("aarch64");
        assertThat(BuildFixtures.pullAndRun(image, "linux/amd64")).isEqualTo("x86_64");
    }

    @Test
    void aFailingPlatformPublishesNoListSaysWhatWasPushedAndRecordsThePlatformsThatWere() throws Exception {
        Path ctx = BuildFixtures.context(
                dir.resolve("ctx"),
                "ARG BASE\nFROM ${BASE}\n" + "RUN [ \"$(uname -m)\" = x86_64 ] || (echo arm-step-broke && false)\n");
        BuildRequest t = BuildRequest.builder()
                .context(ctx)
                .platform(AMD64)
                .image(registry.get().hostPort() + "/e2e/half")
                .tag("1")
                .tag("latest")
                .buildArg("BASE", base.reference())
                .allowEmulation(true)
                .naming(Naming.REPO_SUFFIX)
                .build();
        Path records = dir.resolve("half-records");
        // a stale arm64 record of an earlier build must not be published with this build's amd64
        RecordStore.write(records, staleArm64(t));
        try (DockerEngineBuilder docker = DockerEngineBuilder.builder()
                .dockerHost(Components.dockerHost())
                .registryClient(client)
                .build()) {
            assertThatThrownBy(() -> new MultiArchFlow(docker, client, LogListenerSink.NONE)
                            .run(MultiArchFlow.Request.of(t, List.of(AMD64, ARM64), records)))
                    .isInstanceOfSatisfying(BuildException.class, e -> {
                        assertThat(e.logTail()).anyMatch(l -> l.contains("arm-step-broke"));
                        assertThat(e.exitCode()).isEqualTo(5);
                        assertThat(e.getMessage())
                                .contains("linux/arm64 failed: ")
                                .contains("Pushed before the failure: linux/amd64 as "
                                        + registry.get().hostPort()
                                        + "/e2e/half-amd64:1, " + registry.get().hostPort()
                                        + "/e2e/half-amd64:latest (sha256:")
                                .contains("No list was published")
                                .contains("--records " + records + " --optional linux/arm64");
                    });
        }
        assertThat(client.headManifest(t.image().withTag("1"))).as("no list").isEmpty();
        assertThat(client.headManifest(ImageReference.parse(registry.get().hostPort() + "/e2e/half-arm64v8:1")))
                .as("no arm64 image")
                .isEmpty();
        // the amd64 record is written (the stale arm64 one removed), and an --optional publish can use it
        List<ArchImageRecord> written = RecordStore.readAll(records);
        assertThat(written).singleElement().satisfies(r -> {
            assertThat(r.platform()).isEqualTo(AMD64);
            assertThat(client.headManifest(r.reference())).isPresent();
        });
        PublishResult amdOnly = new PublishFromRecords(client, LogListenerSink.NONE)
                .publishRecords(
                        written,
                        PublishRequest.builder()
                                .target(t.image())
                                .tags(List.of("1"))
                                .optionalPlatforms(List.of(ARM64)))
                .result();
        assertThat(amdOnly.images())
                .singleElement()
                .satisfies(c -> assertThat(c.platform()).isEqualTo(AMD64));
    }

    /** An arm64 record as an earlier build of {@code t}'s image left it. */
    private static ArchImageRecord staleArm64(BuildRequest t) {
        return new ArchImageRecord(
                ArchImageRecord.SCHEMA_VERSION,
                t.image(),
                List.of(t.image()
                        .withRepository(t.image().repository() + "-arm64v8")
                        .withTag("0")),
                io.jenkins.plugins.multiarch.image.Digest.sha256(new byte[] {1}),
                io.jenkins.plugins.multiarch.image.MediaType.DOCKER_MANIFEST,
                1,
                ARM64,
                ARM64,
                true,
                "docker",
                null,
                "old-host",
                null,
                Instant.now().minusSeconds(3600),
                Instant.now().minusSeconds(3500),
                null,
                List.of(),
                Naming.REPO_SUFFIX);
    }

    @Test
    void anInterruptDuringParallelBuildsStopsThemAllAsABuildError() throws Exception {
        String sleep = "sleep " + (7000 + System.nanoTime() % 2000);
        Path ctx = BuildFixtures.context(dir.resolve("ctx"), "ARG BASE\nFROM ${BASE}\nRUN busybox " + sleep + "\n");
        BuildRequest t = BuildRequest.builder()
                .context(ctx)
                .platform(AMD64)
                .image(registry.get().hostPort() + "/e2e/aborted")
                .tag("1.0")
                .buildArg("BASE", base.reference())
                .allowEmulation(true)
                .naming(Naming.TAG_SUFFIX)
                .build();
        BuildahBuilder buildah = BuildahBuilder.builder()
                .root(dir.resolve("buildah/root"))
                .runRoot(dir.resolve("buildah/run"))
                .insecureRegistry(registry.get().hostPort())
                .registryClient(client)
                .build();
        MultiArchFlow.Request request =
                new MultiArchFlow.Request(t, List.of(AMD64, ARM64), dir.resolve("records"), true, null, null, 2);
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        BuildFixtures.Interruptible<MultiArchFlow.Result> flow = new BuildFixtures.Interruptible<>(
                "flow-abort", () -> new MultiArchFlow(buildah, client, log).run(request));
        try {
            // both platforms' RUN steps (arm64 under qemu) are running
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (BuildFixtures.processesMatching(sleep).stream()
                                    .filter(p -> !p.contains(" -c "))
                                    .count()
                            < 2
                    && System.nanoTime() < deadline
                    && flow.isAlive()) {
                Thread.sleep(200);
            }
            assertThat(BuildFixtures.processesMatching(sleep))
                    .as("log: %s", log.text())
                    .hasSizeGreaterThanOrEqualTo(2);
            Thread.sleep(1000);

            Duration took = flow.interruptAndJoin(Duration.ofSeconds(30));
            assertThat(took)
                    .as("the flow returned after the interrupt")
                    .isNotNull()
                    .isLessThan(Duration.ofSeconds(15));
            assertThat(flow.failure()).isInstanceOfSatisfying(BuildException.class, e -> {
                assertThat(e.getMessage()).contains("build interrupted");
                assertThat(e.exitCode()).isEqualTo(5);
            });
            assertThat(flow.interruptFlagAfter()).isTrue();
            assertThat(BuildFixtures.awaitNoProcess(sleep, Duration.ofSeconds(5)))
                    .as("no RUN step left")
                    .isEmpty();
            assertThat(BuildFixtures.awaitNoProcess("e2e/aborted", Duration.ofSeconds(5)))
                    .as("no buildah left")
                    .isEmpty();
            assertThat(dir.resolve("records")).doesNotExist();
            assertThat(client.headManifest(t.image().withTag("1.0")))
                    .as("no list")
                    .isEmpty();
        } finally {
            for (String p : BuildFixtures.processesMatching(sleep)) {
                ProcessHandle.of(Long.parseLong(p.substring(0, p.indexOf(' '))))
                        .ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void anAbortBeforeAPlatformStartsBuildsNothing() {
        BuildahBuilder buildah = BuildahBuilder.builder()
                .root(dir.resolve("buildah/root"))
                .runRoot(dir.resolve("buildah/run"))
                .insecureRegistry(registry.get().hostPort())
                .registryClient(client)
                .build();
        int mark = registry.get().mark();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> new MultiArchFlow(buildah, client, LogListenerSink.NONE)
                            .run(MultiArchFlow.Request.of(
                                    template("e2e/never", Naming.DIGEST), List.of(AMD64, ARM64), null)))
                    .isInstanceOf(BuildException.class)
                    .hasMessageContaining("build interrupted")
                    .hasMessageContaining("0 of 2");
            assertThat(Thread.currentThread().isInterrupted())
                    .as("the abort is still visible to the caller")
                    .isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(registry.get().requestsSince(mark))
                .as("nothing was pulled or pushed")
                .isEmpty();
    }

    @Test
    void everyPlatformIsCheckedBeforeTheFirstBuild() {
        BuildRequest t = BuildRequest.builder()
                .context(BuildFixtures.offlineExample())
                .platform(AMD64)
                .image(registry.get().hostPort() + "/e2e/guarded")
                .tag("1.0")
                .buildArg("BASE", base.reference())
                .build();
        int mark = registry.get().mark();
        try (DockerEngineBuilder docker = DockerEngineBuilder.builder()
                .dockerHost(Components.dockerHost())
                .registryClient(client)
                .build()) {
            assertThatThrownBy(() -> new MultiArchFlow(docker, client, LogListenerSink.NONE)
                            .run(MultiArchFlow.Request.of(t, List.of(AMD64, ARM64), dir.resolve("r"))))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("linux/arm64")
                    .hasMessageContaining("--allow-emulation");
        }
        assertThat(registry.get().requestsSince(mark))
                .as("amd64 was not built either")
                .isEmpty();
    }

    /** The engine's no-op listener under a short name. */
    interface LogListenerSink {
        io.jenkins.plugins.multiarch.LogListener NONE = io.jenkins.plugins.multiarch.LogListener.NONE;
    }
}
