package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.ImageSummary;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.report.ImageChanges;
import io.jenkins.plugins.multiarch.testing.BaseImages;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real buildah, a real registry: BuildAndPush fills the record's content from the manifest and config the registry
 * returned for the push (one GET of the config blob, as before), env names without values, a secret withheld from
 * the labels; and ImageChanges between two real builds whose ENV changed names the env variables, never a value.
 */
class BuildAndPushContentTest {

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry =
            RegistryExtension.plain().requiring(Component.BUILDAH);

    static RegistryClient client;

    @TempDir
    static Path storage;

    @TempDir
    Path dir;

    @BeforeAll
    static void newClient() {
        client = BuildFixtures.client(registry.get(), CredentialsSource.none());
    }

    private static BuildahBuilder buildah() {
        return BuildahBuilder.builder()
                .root(storage.resolve("root"))
                .runRoot(storage.resolve("run"))
                .insecureRegistry(registry.get().hostPort())
                .registryClient(client)
                .build();
    }

    private Path context(String name, String dockerfile) {
        Path ctx = BuildFixtures.context(dir.resolve(name), dockerfile);
        try {
            Files.writeString(ctx.resolve("hello.txt"), "hello\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ctx;
    }

    private ArchImageRecord build(Path ctx, String repo, String secret) {
        BuildRequest.Builder request = BuildRequest.builder()
                .context(ctx)
                .platform("linux/amd64")
                .image(registry.get().hostPort() + "/" + repo)
                .sourceDateEpoch("1600000000");
        if (secret != null) {
            request.secretBuildArg("TOKEN", secret);
        }
        return buildah().build(request.build(), new BuildFixtures.CapturingListener());
    }

    private static ImageChanges.Content content(ArchImageRecord r) {
        ImageSummary c = r.content();
        return ImageChanges.Content.ofRecorded(
                c.baseName(),
                c.baseDigest(),
                c.layerCount(),
                c.layersSize(),
                c.entrypoint(),
                c.cmd(),
                c.envNames(),
                c.labels());
    }

    @Test
    void theRecordSaysWhatThePushedImageHoldsFromTheConfigReadOnce() {
        Path ctx = context(
                "ctx",
                "FROM scratch\nARG TOKEN\nENV MODE=dev-mode-value API_KEY=hunter2-value\nLABEL version=1.0 tok=$TOKEN\n"
                        + "COPY hello.txt /hello.txt\nENTRYPOINT [\"/hello\"]\nCMD [\"serve\"]\n");
        String repo = "c/content-" + System.nanoTime();
        int mark = registry.get().mark();
        ArchImageRecord record = build(ctx, repo, "s3cr3t-token-value");
        List<RegistryServer.Request> requests = registry.get().requestsSince(mark);

        ImageSummary c = record.content();
        assertThat(c).as("filled by BuildAndPush").isNotNull();
        ImageManifest manifest =
                (ImageManifest) client.fetchManifest(record.reference()).parsed();
        assertThat(c.layerCount()).isEqualTo(manifest.layers().size()).isEqualTo(1);
        assertThat(c.layersSize())
                .isEqualTo(
                        manifest.layers().stream().mapToLong(Descriptor::size).sum())
                .isPositive();
        assertThat(c.entrypoint()).containsExactly("/hello");
        assertThat(c.cmd()).containsExactly("serve");
        assertThat(c.envNames()).contains("API_KEY", "MODE");
        assertThat(c.labels()).containsEntry("version", "1.0").containsEntry("tok", ImageSummary.WITHHELD);
        assertThat(c.baseName()).as("FROM scratch has no base").isNull();

        String json = new String(record.toJson(), StandardCharsets.UTF_8);
        assertThat(json)
                .contains("\"schemaVersion\" : \"1.2\"", "\"envNames\"")
                .doesNotContain("hunter2-value", "dev-mode-value", "s3cr3t-token-value");
        assertThat(ArchImageRecord.fromJson(record.toJson(), "built").content()).isEqualTo(c);

        String configPath = "/blobs/" + manifest.config().digest();
        assertThat(requests.stream()
                        .filter(r -> r.method().equals("GET") && r.path().endsWith(configPath))
                        .count())
                .as("the config blob is read once, by the push check, and summarised from those bytes")
                .isEqualTo(1);
    }

    @Test
    void twoBuildsWhoseEnvChangedShowTheNamesOnly() {
        String repo = "c/env-" + System.nanoTime();
        ArchImageRecord before = build(
                context(
                        "before",
                        "FROM scratch\nENV MODE=dev-mode-value OLD_TOKEN=hunter2-value\n"
                                + "LABEL version=1.0\nCOPY hello.txt /hello.txt\nCMD [\"serve\"]\n"),
                repo,
                null);
        ArchImageRecord after = build(
                context(
                        "after",
                        "FROM scratch\nENV MODE=prod-mode-value NEW_VAR=fresh-value\n"
                                + "LABEL version=1.1\nCOPY hello.txt /hello.txt\nCOPY hello.txt /again.txt\n"
                                + "CMD [\"serve\", \"--verbose\"]\n"),
                repo,
                null);
        assertThat(after.digest()).isNotEqualTo(before.digest());

        List<String> lines = ImageChanges.between(content(before), content(after));

        assertThat(lines)
                .contains(
                        "cmd: [serve] to [serve, --verbose]",
                        "env: added NEW_VAR; removed OLD_TOKEN",
                        "labels: changed version")
                .anySatisfy(l -> assertThat(l)
                        .as("buildah without --layers commits one layer")
                        .startsWith("layers: 1 (")
                        .contains(") to 1 ("));
        assertThat(String.join("\n", lines))
                .doesNotContain("hunter2-value", "dev-mode-value", "prod-mode-value", "fresh-value");
        assertThat(ImageChanges.between(content(after), content(after))).isEmpty();
    }

    @Test
    void aBuildFromABaseImageSaysWhatItsBuilderRecordsOfTheBase() {
        BaseImages.Base base = BaseImages.push(registry.get());
        ArchImageRecord record = build(
                context("based", "FROM " + base.reference() + "\nCOPY hello.txt /hello.txt\n"),
                "c/based-" + System.nanoTime(),
                null);
        ImageSummary c = record.content();
        ImageManifest manifest =
                (ImageManifest) client.fetchManifest(record.reference()).parsed();
        assertThat(c.layerCount()).isEqualTo(manifest.layers().size()).isGreaterThan(1);
        assertThat(manifest.annotations()).as("buildah 1.28 annotates the base").containsKey(ImageSummaries.BASE_NAME);
        assertThat(c.baseName())
                .isEqualTo(manifest.annotations().get(ImageSummaries.BASE_NAME))
                .isEqualTo(base.reference());
        assertThat(c.baseDigest())
                .isEqualTo(manifest.annotations().get(ImageSummaries.BASE_DIGEST))
                .isIn(
                        base.index().digest(),
                        base.perPlatform().get("linux/amd64").digest());
        assertThat(ImageReference.parse(base.reference()).repository()).isEqualTo(BaseImages.REPOSITORY);

        ArchImageRecord scratch =
                build(context("scratch", "FROM scratch\nCOPY hello.txt /hello.txt\n"), "c/based", null);
        assertThat(ImageChanges.between(content(scratch), content(record)))
                .first()
                .isEqualTo("base image: (not recorded) to " + base.reference() + "@"
                        + c.baseDigest().substring(0, "sha256:".length() + 12));
    }
}
