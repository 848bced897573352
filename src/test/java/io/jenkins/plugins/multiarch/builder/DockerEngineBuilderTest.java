package io.jenkins.plugins.multiarch.builder;

import static io.jenkins.plugins.multiarch.builder.BuildFixtures.docker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.BuildException;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.ListFormat;
import io.jenkins.plugins.multiarch.publish.PublishRequest;
import io.jenkins.plugins.multiarch.publish.Publisher;
import io.jenkins.plugins.multiarch.publish.SourceSpec;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.RecordStore;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import io.jenkins.plugins.multiarch.testing.BaseImages;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker Engine builder against a real dockerd and a real registry: the stale-base problem, the guard,
 * bad input, auth failures and secrets. (The two-platform end-to-end run is MultiArchFlowEndToEndTest.)
 */
class DockerEngineBuilderTest {

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain()
            .requiring(Component.DOCKERD, Component.DOCKER_CLI, Component.BUSYBOX, Component.QEMU_AARCH64);

    static RegistryClient client;
    static BaseImages.Base base;
    static DockerEngineBuilder builder;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        base = BaseImages.push(registry.get());
        client = BuildFixtures.client(registry.get(), CredentialsSource.none());
        builder = DockerEngineBuilder.builder()
                .dockerHost(Components.dockerHost())
                .registryClient(client)
                .build();
    }

    @AfterAll
    static void stop() {
        if (builder != null) {
            builder.close();
        }
    }

    private BuildRequest.Builder offline(String repo, String platform) {
        return BuildRequest.builder()
                .context(BuildFixtures.offlineExample())
                .platform(platform)
                .image(registry.get().hostPort() + "/" + repo)
                .tag("1.0")
                .buildArg("BASE", base.reference())
                .naming(Naming.REPO_SUFFIX);
    }

    @Test
    void buildsPushesAndReadsThePlatformBackFromTheRegistry() {
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        ArchImageRecord r = builder.build(
                offline("it/native", "linux/amd64").sourceRevision("abc123").build(), log);
        assertThat(r.platform().matches(Platform.parse("linux/amd64"))).isTrue();
        assertThat(r.emulated()).isFalse();
        assertThat(r.builder()).isEqualTo("docker");
        assertThat(r.builderVersion()).startsWith("20.");
        assertThat(r.pushed())
                .extracting(Object::toString)
                .containsExactly(registry.get().hostPort() + "/it/native-amd64:1.0");
        assertThat(client.headManifest(r.pushed().get(0)).orElseThrow().digest())
                .isEqualTo(r.digest());
        assertThat(r.buildArgs()).containsExactly("BASE");
        assertThat(log.text()).contains("Step 1/", "RUN uname -m");
        String labels = docker(
                "image",
                "inspect",
                "--format",
                "{{json .Config.Labels}}",
                r.pushed().get(0).toString());
        assertThat(labels).contains("org.opencontainers.image.revision\":\"abc123", "org.opencontainers.image.created");
    }

    @Test
    void guardRefusesANonNativePlatformBeforeBuilding() {
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        int mark = registry.get().mark();
        assertThatThrownBy(
                        () -> builder.build(offline("it/guard", "linux/arm64").build(), log))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--allow-emulation")
                .hasMessageContaining("linux/amd64");
        assertThat(log.lines).as("nothing was built").isEmpty();
        assertThat(registry.get().requestsSince(mark))
                .as("nothing was pulled or pushed")
                .isEmpty();
    }

    @Test
    void staleBaseIsImpossibleBecauseTheBuilderPullsPerPlatform() {
        // Put the arm64 base in the engine's store under the base's tag, as an earlier arm64 build would.
        docker("pull", "--platform", "linux/arm64", base.reference());
        assertThat(docker("image", "inspect", "--format", "{{.Architecture}}", base.reference()))
                .isEqualTo("arm64");
        // Control: the engine's own CLI without --pull reuses it and builds an "amd64" image that is arm64.
        Path ctx = BuildFixtures.context(dir.resolve("ctx"), "ARG BASE\nFROM ${BASE}\nCOPY Dockerfile /\n");
        String staleTag = registry.get().hostPort() + "/it/stale-control:1";
        docker(
                "build",
                "--platform",
                "linux/amd64",
                "--build-arg",
                "BASE=" + base.reference(),
                "-t",
                staleTag,
                ctx.toString());
        assertThat(docker("image", "inspect", "--format", "{{.Architecture}}", staleTag))
                .isEqualTo("arm64");

        // Ours, even when asked not to pull, gets the amd64 base.
        ArchImageRecord r = builder.build(
                offline("it/stale", "linux/amd64").pull(false).build(), new BuildFixtures.CapturingListener());
        assertThat(r.platform().matches(Platform.parse("linux/amd64"))).isTrue();
        assertThat(BuildFixtures.pullAndRun(r.reference().toString(), "linux/amd64"))
                .isEqualTo("x86_64");
    }

    @Test
    void aMislabelledChildIsRefusedByThePublisher() {
        ArchImageRecord amd =
                builder.build(offline("it/mislabel", "linux/amd64").build(), new BuildFixtures.CapturingListener());
        // A record that claims the amd64 image is arm64 (a stale base that slipped through another tool).
        ArchImageRecord forged = new ArchImageRecord(
                amd.schemaVersion(),
                amd.image(),
                amd.pushed(),
                amd.digest(),
                amd.mediaType(),
                amd.size(),
                Platform.parse("linux/arm64"),
                Platform.parse("linux/arm64"),
                true,
                amd.builder(),
                amd.builderVersion(),
                amd.host(),
                amd.agent(),
                amd.startedAt(),
                amd.finishedAt(),
                amd.sourceRevision(),
                amd.buildArgs(),
                amd.naming());
        Path records = dir.resolve("records");
        RecordStore.write(records, amd);
        RecordStore.write(records, forged);
        List<ArchImageRecord> all = RecordStore.readAll(records);
        PublishRequest request = PublishRequest.builder()
                .target(amd.image())
                .tag("1.0")
                .format(ListFormat.AUTO)
                .sources(all.stream()
                        .map(r -> new SourceSpec(r.reference(), r.platform(), "record"))
                        .toList())
                .build();
        assertThatThrownBy(() -> new Publisher(client, new BuildFixtures.CapturingListener()).publish(request))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("linux/arm64");
        assertThat(client.headManifest(amd.image().withTag("1.0")))
                .as("no list was published")
                .isEmpty();
    }

    @Test
    void aBaseWithoutTheRequestedPlatformIsCaughtByTheReadBack() {
        // The base's amd64 child alone, by digest: there is no arm64 image to pull.
        String amdOnly = registry.get().hostPort() + "/" + BaseImages.REPOSITORY + "@"
                + base.perPlatform().get("linux/amd64").digest();
        Path ctx = BuildFixtures.context(dir.resolve("ctx"), "FROM " + amdOnly + "\nCOPY Dockerfile /\n");
        BuildRequest request = BuildRequest.builder()
                .context(ctx)
                .platform("linux/arm64")
                .allowEmulation(true)
                .image(registry.get().hostPort() + "/it/wrongbase")
                .tag("1.0")
                .naming(Naming.TAG_SUFFIX)
                .build();
        assertThatThrownBy(() -> builder.build(request, new BuildFixtures.CapturingListener()))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("built for linux/arm64")
                .hasMessageContaining("is linux/amd64 according to its config")
                .hasMessageContaining("not pushed");
        assertThat(client.headManifest(ImageReference.parse(registry.get().hostPort() + "/it/wrongbase:1.0-arm64v8")))
                .as("nothing was pushed")
                .isEmpty();
    }

    @Test
    void aFailingRunEndsWithTheLogTailAndPushesNothing() {
        Path ctx = BuildFixtures.context(
                dir.resolve("ctx"), "ARG BASE\nFROM ${BASE}\nRUN echo about-to-fail-marker && false\n");
        BuildRequest request = BuildRequest.builder()
                .context(ctx)
                .platform("linux/amd64")
                .buildArg("BASE", base.reference())
                .image(registry.get().hostPort() + "/it/fails")
                .tag("1.0")
                .naming(Naming.REPO_SUFFIX)
                .build();
        int mark = registry.get().mark();
        assertThatThrownBy(() -> builder.build(request, new BuildFixtures.CapturingListener()))
                .isInstanceOfSatisfying(BuildException.class, e -> {
                    assertThat(e.logTail()).anyMatch(l -> l.contains("about-to-fail-marker"));
                    assertThat(e.getMessage()).contains("returned a non-zero code", "nothing was pushed");
                });
        assertThat(registry.get().requestsSince(mark)).noneMatch(r -> r.method().equals("PUT"));
        assertThat(client.headManifest(ImageReference.parse(registry.get().hostPort() + "/it/fails-amd64:1.0")))
                .isEmpty();
    }

    @Test
    void aDockerfileErrorIsReportedAsTheEnginesErrorNotAsAContextProblem() throws Exception {
        // A context far larger than the pipe buffer, so the tar writer is still writing when the engine answers.
        Path ctx = BuildFixtures.context(dir.resolve("ctx"), "FROM scratch\nFROBNICATE the-widget\n");
        byte[] big = new byte[8 * 1024 * 1024];
        new java.util.Random(7).nextBytes(big);
        Files.write(ctx.resolve("big.bin"), big);
        BuildRequest request = BuildRequest.builder()
                .context(ctx)
                .platform("linux/amd64")
                .image(registry.get().hostPort() + "/it/badfile")
                .tag("1.0")
                .naming(Naming.REPO_SUFFIX)
                .build();
        assertThatThrownBy(() -> builder.build(request, new BuildFixtures.CapturingListener()))
                .isInstanceOf(BuildException.class)
                .hasMessageContaining("unknown instruction")
                .hasMessageContaining("FROBNICATE")
                .hasMessageNotContaining("permissions")
                .hasMessageNotContaining("could not be read");
    }

    @Test
    void anInterruptStopsTheEngineBuildAndItsRunningStep() throws Exception {
        String sleep = "sleep " + (7000 + System.nanoTime() % 2000);
        Path ctx = BuildFixtures.context(dir.resolve("ctx"), "ARG BASE\nFROM ${BASE}\nRUN busybox " + sleep + "\n");
        BuildRequest request = BuildRequest.builder()
                .context(ctx)
                .platform("linux/amd64")
                .buildArg("BASE", base.reference())
                .image(registry.get().hostPort() + "/it/abort")
                .tag("1.0")
                .naming(Naming.REPO_SUFFIX)
                .build();
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        BuildFixtures.Interruptible<ArchImageRecord> build =
                new BuildFixtures.Interruptible<>("docker-abort", () -> builder.build(request, log));
        try {
            assertThat(BuildFixtures.awaitProcess(sleep, java.time.Duration.ofSeconds(90)))
                    .as("the RUN step started in the engine (log: %s)", log.text())
                    .isTrue();
            Thread.sleep(2000);

            java.time.Duration took = build.interruptAndJoin(java.time.Duration.ofSeconds(20));
            assertThat(took).as("the build returned after the interrupt").isNotNull();
            assertThat(took).isLessThan(java.time.Duration.ofSeconds(5));
            assertThat(build.failure()).isInstanceOf(BuildException.class).hasMessageContaining("build interrupted");
            assertThat(build.interruptFlagAfter())
                    .as("the interrupt flag is kept for the caller")
                    .isTrue();
            // the engine cancels the build when its connection closes: it kills the step's container
            assertThat(BuildFixtures.awaitNoProcess(sleep, java.time.Duration.ofSeconds(20)))
                    .as("the engine stopped the RUN step")
                    .isEmpty();
            // the engine removes the killed step's container asynchronously: same 20 s bound as for the process
            String running = "";
            for (long end = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos(); System.nanoTime() < end; ) {
                running = docker("ps", "-q", "--filter", "status=running", "--filter", "ancestor=" + base.reference());
                if (running.isEmpty()) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(running).as("no build container runs").isEmpty();
            assertThat(client.headManifest(ImageReference.parse(registry.get().hostPort() + "/it/abort-amd64:1.0")))
                    .isEmpty();
        } finally {
            for (String p : BuildFixtures.processesMatching(sleep)) {
                ProcessHandle.of(Long.parseLong(p.substring(0, p.indexOf(' '))))
                        .ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void theLocalImageCheckTurnsEngineErrorsIntoBuildErrors() {
        String missing = "sha256:" + "0".repeat(64);
        assertThatThrownBy(() -> builder.checkLocalImage(missing, Platform.parse("linux/amd64")))
                .isInstanceOf(BuildException.class)
                .hasMessageContaining(missing)
                .hasMessageContaining("does not have it");
        try (DockerEngineBuilder nowhere = DockerEngineBuilder.builder()
                .dockerHost("unix://" + dir.resolve("gone.sock"))
                .registryClient(client)
                .build()) {
            assertThatThrownBy(() -> nowhere.checkLocalImage(missing, Platform.parse("linux/amd64")))
                    .isInstanceOf(BuildException.class)
                    .hasMessageContaining("cannot reach the Docker Engine")
                    .hasMessageContaining("gone.sock")
                    .hasMessageContaining("DOCKER_HOST");
        }
    }

    @Test
    void missingDockerfileAndUnknownPlatformAreOneClearError() {
        BuildRequest missing = BuildRequest.builder()
                .context(dir)
                .platform("linux/amd64")
                .image(registry.get().hostPort() + "/it/missing")
                .tag("1.0")
                .build();
        assertThatThrownBy(() -> builder.build(missing, new BuildFixtures.CapturingListener()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> offline("it/x", "linux/mips99").build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("linux/mips99");
    }

    @Test
    void anUnreachableEngineIsOneClearError() {
        try (DockerEngineBuilder nowhere = DockerEngineBuilder.builder()
                .dockerHost("unix://" + dir.resolve("no.sock"))
                .registryClient(client)
                .build()) {
            assertThatThrownBy(() -> nowhere.build(
                            offline("it/nowhere", "linux/amd64").build(), new BuildFixtures.CapturingListener()))
                    .isInstanceOf(BuildException.class)
                    .hasMessageContaining("cannot reach the Docker Engine")
                    .hasMessageContaining("no.sock");
        }
    }

    @Test
    void passwordsNeverShowAndAWrongOneFailsThePushAsAnAuthError() throws Exception {
        String password = "pa55-Secret-" + System.nanoTime();
        try (RegistryServer secured =
                RegistryServer.builder().basicAuth("builder", password).start()) {
            CredentialsSource good =
                    CredentialsSource.of(secured.hostPort(), RegistryCredentials.of("builder", password));
            RegistryClient securedClient = BuildFixtures.client(secured, good);
            BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
            try (DockerEngineBuilder withAuth = DockerEngineBuilder.builder()
                    .dockerHost(Components.dockerHost())
                    .registryClient(securedClient)
                    .credentials(good)
                    .build()) {
                BuildRequest request = BuildRequest.builder()
                        .context(BuildFixtures.offlineExample())
                        .platform("linux/amd64")
                        .image(secured.hostPort() + "/it/secret")
                        .tag("1.0")
                        .buildArg("BASE", base.reference())
                        .secretBuildArg("TOKEN", password)
                        .build();
                ArchImageRecord r = withAuth.build(request, log);
                assertThat(r.platform().matches(Platform.parse("linux/amd64"))).isTrue();
                Path file = RecordStore.write(dir, r);
                assertThat(Files.readString(file)).doesNotContain(password).contains("TOKEN");
                assertThat(log.text()).doesNotContain(password).contains("pushing");
            }

            String wrong = "wrong-" + password;
            CredentialsSource bad = CredentialsSource.of(secured.hostPort(), RegistryCredentials.of("builder", wrong));
            BuildFixtures.CapturingListener badLog = new BuildFixtures.CapturingListener();
            try (DockerEngineBuilder withBadAuth = DockerEngineBuilder.builder()
                    .dockerHost(Components.dockerHost())
                    .registryClient(BuildFixtures.client(secured, bad))
                    .credentials(bad)
                    .build()) {
                BuildRequest request = BuildRequest.builder()
                        .context(BuildFixtures.offlineExample())
                        .platform("linux/amd64")
                        .image(secured.hostPort() + "/it/denied")
                        .tag("1.0")
                        .buildArg("BASE", base.reference())
                        .naming(Naming.REPO_SUFFIX)
                        .build();
                assertThatThrownBy(() -> withBadAuth.build(request, badLog))
                        .isInstanceOf(RegistryAuthenticationException.class)
                        .hasMessageContaining(secured.hostPort())
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(password));
                assertThat(badLog.text()).doesNotContain(password);
            }
            assertThat(secured.log()).doesNotContain(password);
        }
    }
}
