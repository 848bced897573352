package io.jenkins.plugins.multiarch.publish;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.report.Inspection;
import io.jenkins.plugins.multiarch.report.Inspector;
import io.jenkins.plugins.multiarch.report.Reports;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.Exec;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages.Format;
import io.jenkins.plugins.multiarch.testing.TestImages.Pushed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Peers judge what we publish: skopeo and `docker manifest inspect` read it back and agree on every digest. */
class PeerReadBackTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain();

    @TempDir
    Path dockerConfig;

    private PublishResult publishSeedLayout(String ns, ListFormat format) {
        Pushed amd = registry.images().pushImage(ns + "/py-app-amd64", "1.0", "linux/amd64", Format.DOCKER);
        Pushed arm = registry.images().pushImage(ns + "/py-app-arm64v8", "1.0", "linux/arm64/v8", Format.DOCKER);
        RegistryClient client = new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(registry.get().hostPort())
                .build());
        return new Publisher(client, null)
                .publish(PublishRequest.builder()
                        .target(ImageReference.parse(registry.get().hostPort() + "/" + ns + "/py-app"))
                        .tag("1.0")
                        .format(format)
                        .source(new SourceSpec(
                                ImageReference.parse(registry.get().hostPort() + "/" + amd.byTag()),
                                Platform.parse("linux/amd64"),
                                null))
                        .source(new SourceSpec(
                                ImageReference.parse(registry.get().hostPort() + "/" + arm.byTag()),
                                Platform.parse("linux/arm64"),
                                null))
                        .build());
    }

    @Test
    void skopeoReadsBackTheExactBytes() throws Exception {
        Components.require(Components.Component.SKOPEO);
        for (ListFormat format : List.of(ListFormat.DOCKER, ListFormat.OCI)) {
            String ns = "skopeo-" + format.name().toLowerCase();
            PublishResult result = publishSeedLayout(ns, format);
            Exec.Result raw = Exec.run(
                            List.of(
                                    "skopeo",
                                    "inspect",
                                    "--raw",
                                    "--tls-verify=false",
                                    "docker://" + registry.get().hostPort() + "/" + ns + "/py-app:1.0"),
                            Duration.ofSeconds(60))
                    .orThrow();
            byte[] bytes = raw.stdout().getBytes(StandardCharsets.UTF_8);
            assertThat(Digest.sha256(bytes)).isEqualTo(result.listDigest());
            assertThat(bytes).isEqualTo(result.listBytes());
            // and each child, by digest, from the target repository
            for (PublishResult.Child child : result.images()) {
                Exec.Result childRaw = Exec.run(
                                List.of(
                                        "skopeo",
                                        "inspect",
                                        "--raw",
                                        "--tls-verify=false",
                                        "docker://" + registry.get().hostPort() + "/" + ns + "/py-app@"
                                                + child.digest()),
                                Duration.ofSeconds(60))
                        .orThrow();
                assertThat(Digest.sha256(childRaw.stdout().getBytes(StandardCharsets.UTF_8)))
                        .isEqualTo(child.digest());
            }
        }
    }

    @Test
    void dockerManifestInspectAgreesWithOurVerboseReport() throws Exception {
        Components.require(Components.Component.DOCKER_CLI);
        String ns = "docker-peer";
        PublishResult result = publishSeedLayout(ns, ListFormat.AUTO);
        String ref = registry.get().hostPort() + "/" + ns + "/py-app:1.0";
        Files.writeString(dockerConfig.resolve("config.json"), "{}");
        Map<String, String> env = Map.of("DOCKER_CONFIG", dockerConfig.toString());

        Exec.Result plain = Exec.run(
                        List.of("docker", "manifest", "inspect", "--insecure", ref),
                        Duration.ofSeconds(60),
                        env,
                        null,
                        null)
                .orThrow();
        JsonNode list = JSON.readTree(plain.stdout());
        assertThat(list.get("mediaType").asText()).isEqualTo(result.mediaType().value());
        assertThat(list.get("manifests")).hasSize(2);

        Exec.Result verbose = Exec.run(
                        List.of("docker", "manifest", "inspect", "--insecure", "--verbose", ref),
                        Duration.ofSeconds(60),
                        env,
                        null,
                        null)
                .orThrow();
        JsonNode theirs = JSON.readTree(verbose.stdout());
        RegistryClient client = new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(registry.get().hostPort())
                .build());
        Inspection inspection = new Inspector(client, null).inspect(ImageReference.parse(ref));
        JsonNode ours = JSON.readTree(Reports.inspectVerbose(inspection));

        assertThat(ours.isArray()).isTrue();
        assertThat(ours).hasSameSizeAs(theirs);
        for (int i = 0; i < theirs.size(); i++) {
            assertThat(ours.get(i).get("Ref").asText())
                    .isEqualTo(theirs.get(i).get("Ref").asText());
            assertThat(ours.get(i).get("Descriptor").get("digest").asText())
                    .isEqualTo(theirs.get(i).get("Descriptor").get("digest").asText())
                    .isEqualTo(result.images().get(i).digest().toString());
            assertThat(ours.get(i).get("Descriptor").get("platform"))
                    .isEqualTo(theirs.get(i).get("Descriptor").get("platform"));
            assertThat(ours.get(i).get("SchemaV2Manifest"))
                    .isEqualTo(theirs.get(i).get("SchemaV2Manifest"));
        }
        assertThat(inspection.consistent()).isTrue();
    }
}
