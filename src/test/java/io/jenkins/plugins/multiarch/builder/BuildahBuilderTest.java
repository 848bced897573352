package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.BuildException;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.RecordStore;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import io.jenkins.plugins.multiarch.testing.BaseImages;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The buildah builder against real buildah and a real registry: guard, failing RUN, auth, secrets. */
class BuildahBuilderTest {

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry =
            RegistryExtension.plain().requiring(Component.BUILDAH, Component.BUSYBOX);

    static RegistryClient client;
    static BaseImages.Base base;

    @TempDir
    static Path storage;

    @TempDir
    Path dir;

    @BeforeAll
    static void pushBaseAndNewClient() {
        base = BaseImages.push(registry.get());
        client = BuildFixtures.client(registry.get(), CredentialsSource.none());
    }

    private static BuildahBuilder.Builder buildah(RegistryServer target, RegistryClient targetClient) {
        return BuildahBuilder.builder()
                .root(storage.resolve("root"))
                .runRoot(storage.resolve("run"))
                .insecureRegistry(registry.get().hostPort())
                .insecureRegistry(target.hostPort())
                .registryClient(targetClient);
    }

    @Test
    void guardRefusesANonNativePlatformBeforeBuilding() {
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        BuildRequest arm = BuildRequest.builder()
                .context(BuildFixtures.offlineExample())
                .platform("linux/arm64")
                .image(registry.get().hostPort() + "/b/guard")
                .tag("1.0")
                .buildArg("BASE", base.reference())
                .build();
        int mark = registry.get().mark();
        assertThatThrownBy(() -> buildah(registry.get(), client).build().build(arm, log))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--allow-emulation");
        assertThat(log.lines).isEmpty();
        assertThat(registry.get().requestsSince(mark)).isEmpty();
    }

    @Test
    void aFailingRunEndsWithTheLogTailAndPushesNothing() {
        Path ctx = BuildFixtures.context(
                dir.resolve("ctx"), "ARG BASE\nFROM ${BASE}\nRUN echo buildah-fail-marker && false\n");
        BuildRequest request = BuildRequest.builder()
                .context(ctx)
                .platform("linux/amd64")
                .buildArg("BASE", base.reference())
                .image(registry.get().hostPort() + "/b/fails")
                .tag("1.0")
                .naming(Naming.TAG_SUFFIX)
                .build();
        int mark = registry.get().mark();
        assertThatThrownBy(() ->
                        buildah(registry.get(), client).build().build(request, new BuildFixtures.CapturingListener()))
                .isInstanceOfSatisfying(BuildException.class, e -> {
                    assertThat(e.logTail()).anyMatch(l -> l.contains("buildah-fail-marker"));
                    assertThat(e.getMessage()).contains("nothing was pushed");
                });
        assertThat(registry.get().requestsSince(mark)).noneMatch(r -> r.method().equals("PUT"));
        assertThat(client.headManifest(ImageReference.parse(registry.get().hostPort() + "/b/fails:1.0-amd64")))
                .isEmpty();
    }

    @Test
    void anInterruptStopsBuildahAndEverythingItStartedAtOnce() throws Exception {
        String sleep = "sleep " + (7000 + System.nanoTime() % 2000);
        String repo = "b/abort-" + System.nanoTime();
        Path ctx = BuildFixtures.context(dir.resolve("ctx"), "ARG BASE\nFROM ${BASE}\nRUN busybox " + sleep + "\n");
        BuildRequest request = BuildRequest.builder()
                .context(ctx)
                .platform("linux/amd64")
                .buildArg("BASE", base.reference())
                .image(registry.get().hostPort() + "/" + repo)
                .tag("1.0")
                .naming(Naming.TAG_SUFFIX)
                .build();
        BuildahBuilder buildah = buildah(registry.get(), client).build();
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        BuildFixtures.Interruptible<ArchImageRecord> build =
                new BuildFixtures.Interruptible<>("buildah-abort", () -> buildah.build(request, log));
        try {
            assertThat(BuildFixtures.awaitProcess(sleep, java.time.Duration.ofSeconds(90)))
                    .as("the RUN step started (log: %s)", log.text())
                    .isTrue();
            assertThat(BuildFixtures.processesMatching(repo))
                    .as("buildah bud runs, tagged with the repository")
                    .isNotEmpty();
            Thread.sleep(2000);

            java.time.Duration took = build.interruptAndJoin(java.time.Duration.ofSeconds(20));
            assertThat(took).as("the build returned after the interrupt").isNotNull();
            assertThat(took).isLessThan(java.time.Duration.ofSeconds(8));
            assertThat(build.failure()).isInstanceOf(BuildException.class).hasMessageContaining("build interrupted");
            assertThat(build.interruptFlagAfter())
                    .as("the interrupt flag is kept for the caller")
                    .isTrue();
            assertThat(BuildFixtures.awaitNoProcess(repo, java.time.Duration.ofSeconds(2)))
                    .as("no buildah of this build")
                    .isEmpty();
            assertThat(BuildFixtures.awaitNoProcess(sleep, java.time.Duration.ofSeconds(2)))
                    .as("no RUN step left")
                    .isEmpty();
            assertThat(client.headManifest(ImageReference.parse(registry.get().hostPort() + "/" + repo + ":1.0-amd64")))
                    .isEmpty();
        } finally {
            // never leave a 2-hour sleep behind, whatever happened above
            for (String p : BuildFixtures.processesMatching(sleep)) {
                ProcessHandle.of(Long.parseLong(p.substring(0, p.indexOf(' '))))
                        .ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void aBaseWithoutTheRequestedPlatformIsRefusedBeforeThePushWithoutAnExtraProcess() throws IOException {
        // buildah behind a shim that records each subcommand (the platform check must read the store, not run
        // `buildah inspect`) and asks for Docker-format images, as an agent's BUILDAH_FORMAT may: those carry no
        // record of their base, so the builder must build OCI whatever the environment says
        Path calls = dir.resolve("calls.txt");
        Path shim = dir.resolve("buildah-shim");
        Files.writeString(
                shim,
                "#!/bin/sh\nexport BUILDAH_FORMAT=docker\nfor a in \"$@\"; do case \"$a\" in "
                        + "bud|push|inspect|version) echo \"$a\" >> '" + calls
                        + "';; esac; done\nexec buildah \"$@\"\n");
        shim.toFile().setExecutable(true);
        String amdOnly = registry.get().hostPort() + "/" + BaseImages.REPOSITORY + "@"
                + base.perPlatform().get("linux/amd64").digest();
        Path ctx = BuildFixtures.context(dir.resolve("ctx"), "FROM " + amdOnly + "\nCOPY Dockerfile /\n");
        BuildRequest request = BuildRequest.builder()
                .context(ctx)
                .platform("linux/arm64")
                .allowEmulation(true)
                .image(registry.get().hostPort() + "/b/wrongbase")
                .tag("1.0")
                .naming(Naming.TAG_SUFFIX)
                .build();
        int mark = registry.get().mark();
        assertThatThrownBy(() -> buildah(registry.get(), client)
                        .executable(shim.toString())
                        .build()
                        .build(request, new BuildFixtures.CapturingListener()))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("built for linux/arm64")
                .hasMessageContaining("is linux/amd64 according to its config")
                .hasMessageContaining(base.perPlatform().get("linux/amd64").digest())
                .hasMessageContaining("not pushed");
        assertThat(registry.get().requestsSince(mark))
                .as("nothing was pushed")
                .noneMatch(r -> r.method().equals("PUT"));
        assertThat(Files.readAllLines(calls)).containsExactly("version", "bud");

        // the same Dockerfile on the multi-platform base: buildah picks its arm64 child, which the check finds
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + base.reference() + "\nCOPY Dockerfile /\n");
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        ArchImageRecord arm = buildah(registry.get(), client)
                .executable(shim.toString())
                .build()
                .build(request, log);
        assertThat(arm.platform().matches(Platform.parse("linux/arm64"))).isTrue();
        assertThat(log.text()).doesNotContain("not checked");
        assertThat(Files.readAllLines(calls)).containsExactly("version", "bud", "version", "bud", "push");
    }

    @Test
    void aBaseOfAnotherVariantIsRefusedAndTheSameVariantPasses() {
        // an arm/v7-only base (a valid layer; no RUN step, so nothing has to execute)
        TestImages.Pushed v7 = TestImages.forRegistry(registry.get())
                .pushImage("b/armv7only", "1", "linux/arm/v7", TestImages.Format.OCI);
        Path ctx = BuildFixtures.context(
                dir.resolve("ctx"),
                "FROM " + registry.get().hostPort() + "/" + v7.byDigest() + "\nCOPY Dockerfile /\n");
        BuildRequest v6 = BuildRequest.builder()
                .context(ctx)
                .platform("linux/arm/v6")
                .allowEmulation(true)
                .image(registry.get().hostPort() + "/b/variant")
                .tag("1.0")
                .naming(Naming.TAG_SUFFIX)
                .build();
        assertThatThrownBy(
                        () -> buildah(registry.get(), client).build().build(v6, new BuildFixtures.CapturingListener()))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("built for linux/arm/v6")
                .hasMessageContaining("which is linux/arm/v7");
        assertThat(client.headManifest(ImageReference.parse(registry.get().hostPort() + "/b/variant:1.0-arm32v6")))
                .as("nothing was pushed")
                .isEmpty();

        BuildRequest sameVariant = BuildRequest.builder()
                .context(ctx)
                .platform("linux/arm/v7")
                .allowEmulation(true)
                .image(registry.get().hostPort() + "/b/variant")
                .tag("1.0")
                .naming(Naming.TAG_SUFFIX)
                .build();
        ArchImageRecord r =
                buildah(registry.get(), client).build().build(sameVariant, new BuildFixtures.CapturingListener());
        assertThat(r.platform().matches(Platform.parse("linux/arm/v7"))).isTrue();
    }

    @Test
    void passwordsNeverShowAndAWrongOneFailsThePushAsAnAuthError() throws IOException {
        String password = "bu1ldah-Secret-" + System.nanoTime();
        try (RegistryServer secured =
                RegistryServer.builder().basicAuth("builder", password).start()) {
            CredentialsSource good =
                    CredentialsSource.of(secured.hostPort(), RegistryCredentials.of("builder", password));
            BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
            BuildRequest request = BuildRequest.builder()
                    .context(BuildFixtures.offlineExample())
                    .platform("linux/amd64")
                    .image(secured.hostPort() + "/b/secret")
                    .tag("1.0")
                    .buildArg("BASE", base.reference())
                    .secretBuildArg("TOKEN", password)
                    .naming(Naming.REPO_SUFFIX)
                    .build();
            List<Path> tmpBefore = authFiles();
            Path workDir = dir.resolve("build-tmp");
            ArchImageRecord r = buildah(secured, BuildFixtures.client(secured, good))
                    .credentials(good)
                    .workDir(workDir)
                    .build()
                    .build(request, log);
            try (Stream<Path> left = Files.list(workDir)) {
                assertThat(left)
                        .as("the per-build folder with the auth file is deleted from the work dir")
                        .isEmpty();
            }
            assertThat(r.platform().matches(Platform.parse("linux/amd64"))).isTrue();
            assertThat(Files.readString(RecordStore.write(dir, r)))
                    .doesNotContain(password)
                    .contains("TOKEN");
            assertThat(log.text()).doesNotContain(password).contains("pushing");
            assertThat(authFiles()).as("the temporary auth file is gone").isEqualTo(tmpBefore);

            String wrong = "wrong-" + password;
            CredentialsSource bad = CredentialsSource.of(secured.hostPort(), RegistryCredentials.of("builder", wrong));
            BuildFixtures.CapturingListener badLog = new BuildFixtures.CapturingListener();
            BuildRequest denied = BuildRequest.builder()
                    .context(BuildFixtures.offlineExample())
                    .platform("linux/amd64")
                    .image(secured.hostPort() + "/b/denied")
                    .tag("1.0")
                    .buildArg("BASE", base.reference())
                    .naming(Naming.REPO_SUFFIX)
                    .build();
            assertThatThrownBy(() -> buildah(secured, BuildFixtures.client(secured, bad))
                            .credentials(bad)
                            .build()
                            .build(denied, badLog))
                    .isInstanceOf(RegistryAuthenticationException.class)
                    .hasMessageContaining(secured.hostPort())
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(password));
            assertThat(badLog.text()).doesNotContain(password);
        }
    }

    private static List<Path> authFiles() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("multiarch-buildah-"))
                    .sorted()
                    .toList();
        }
    }
}
