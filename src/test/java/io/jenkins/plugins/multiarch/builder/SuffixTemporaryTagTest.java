package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.RecordCheck;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real buildah 1.28 and a real registry (distribution 2.8, which cannot delete a tag alone): the temporary tag a
 * suffix naming pushes before its per-arch names is in the record when it could not be removed, points at the
 * confirmed image, passes the controller's check only in its own form, and is what the publish step's clean-up
 * asks the registry to delete, nothing else. A re-run gives the same per-arch names and digest.
 */
class SuffixTemporaryTagTest {

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry =
            RegistryExtension.plain().requiring(Component.BUILDAH);

    static RegistryClient client;

    @TempDir
    static Path storage;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        client = BuildFixtures.client(registry.get(), CredentialsSource.none());
    }

    private ArchImageRecord build(String repo, BuildFixtures.CapturingListener log) throws IOException {
        Path ctx = BuildFixtures.context(dir.resolve("ctx"), "FROM scratch\nCOPY hello.txt /hello.txt\n");
        Files.writeString(ctx.resolve("hello.txt"), "hello\n");
        return BuildahBuilder.builder()
                .root(storage.resolve("root"))
                .runRoot(storage.resolve("run"))
                .insecureRegistry(registry.get().hostPort())
                .registryClient(client)
                .build()
                .build(
                        BuildRequest.builder()
                                .context(ctx)
                                .platform("linux/amd64")
                                .image(registry.get().ref(repo))
                                .tag("1.0")
                                .naming(Naming.REPO_SUFFIX)
                                .sourceDateEpoch("1600000000")
                                .build(),
                        log);
    }

    @Test
    void theTemporaryTagThatCouldNotBeRemovedIsRecordedPointsAtTheConfirmedImageAndIsCleanedUpAlone()
            throws IOException {
        String repo = "t/suffix";
        BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();
        ArchImageRecord record = build(repo, log);
        ImageReference perArch = ImageReference.parse(registry.get().ref(repo + "-amd64:1.0"));
        assertThat(record.pushed()).containsExactly(perArch);

        ImageReference temporary = record.temporaryTag();
        assertThat(temporary)
                .as("distribution 2.8 kept it, so the record names it")
                .isNotNull();
        assertThat(log.text()).contains("left the temporary tag " + temporary + " in place");
        assertThat(temporary.withoutTagOrDigest()).isEqualTo(perArch.withoutTagOrDigest());
        assertThat(temporary.tag().orElseThrow()).matches("build-amd64-[0-9a-f]{12}");
        assertThat(client.headManifest(temporary).orElseThrow().digest())
                .as("never pointing at something else than the confirmed image")
                .isEqualTo(record.digest());

        // the agent's record crosses to the controller as JSON and is checked there
        ArchImageRecord back = RecordCheck.fromAgent(
                record.toJson(),
                new RecordCheck.Expected(
                        ImageReference.parse(registry.get().ref(repo)),
                        List.of("1.0"),
                        Naming.REPO_SUFFIX,
                        Platform.parse("linux/amd64")),
                "agent test");
        assertThat(back.temporaryTag()).isEqualTo(temporary);
        assertThat(new String(record.toJson(), StandardCharsets.UTF_8)).contains("\"schemaVersion\" : \"1.2\"");

        int mark = registry.get().mark();
        List<ImageReference> left = TemporaryTags.remove(
                client, ImageReference.parse(registry.get().ref(repo)), List.of(back), LogListener.NONE);
        List<String> deletes = registry.get().requestsSince(mark).stream()
                .filter(r -> r.method().equals("DELETE"))
                .map(RegistryServer.Request::path)
                .toList();
        assertThat(deletes)
                .as("the clean-up asks for the temporary tag only")
                .containsExactly(
                        "/v2/" + repo + "-amd64/manifests/" + temporary.tag().orElseThrow());
        assertThat(left).as("distribution 2.8 still cannot delete it").containsExactly(temporary);
        assertThat(client.headManifest(perArch).orElseThrow().digest()).isEqualTo(record.digest());

        // a re-run: same image, same per-arch name
        ArchImageRecord again = build(repo, new BuildFixtures.CapturingListener());
        assertThat(again.digest()).isEqualTo(record.digest());
        assertThat(again.pushed()).isEqualTo(record.pushed());
        assertThat(client.headManifest(perArch).orElseThrow().digest()).isEqualTo(record.digest());
    }

    @Test
    void aRecordNamingAPerArchNameAsItsTemporaryTagIsRefusedAndNeverDeleted() throws IOException {
        String repo = "t/tampered";
        ArchImageRecord record = build(repo, new BuildFixtures.CapturingListener());
        ImageReference perArch = record.pushed().get(0);
        String json = new String(record.toJson(), StandardCharsets.UTF_8)
                .replace(record.temporaryTag().toString(), perArch.toString());
        RecordCheck.Expected expected = new RecordCheck.Expected(
                ImageReference.parse(registry.get().ref(repo)),
                List.of("1.0"),
                Naming.REPO_SUFFIX,
                Platform.parse("linux/amd64"));
        assertThatThrownBy(() -> RecordCheck.fromAgent(json.getBytes(StandardCharsets.UTF_8), expected, "agent x"))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("as its temporary tag");

        ArchImageRecord tampered = ArchImageRecord.fromJson(json.getBytes(StandardCharsets.UTF_8), "tampered");
        int mark = registry.get().mark();
        TemporaryTags.remove(
                client, ImageReference.parse(registry.get().ref(repo)), List.of(tampered), LogListener.NONE);
        assertThat(registry.get().requestsSince(mark)).noneMatch(r -> r.method().equals("DELETE"));
        assertThat(client.headManifest(perArch).orElseThrow().digest()).isEqualTo(record.digest());
    }
}
