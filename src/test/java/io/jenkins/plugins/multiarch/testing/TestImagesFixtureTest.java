package io.jenkins.plugins.multiarch.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Proves {@link TestImages} writes real images that an independent peer (skopeo) reads back with equal digests. */
class TestImagesFixtureTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain();

    private static Exec.Result skopeo(List<String> extra, String... args) {
        Components.require(Component.SKOPEO);
        List<String> cmd = new ArrayList<>(List.of("skopeo", "inspect"));
        cmd.addAll(extra);
        cmd.addAll(List.of(args));
        return Exec.run(cmd, Duration.ofSeconds(60)).orThrow();
    }

    private static byte[] rawBySkopeo(String ref) {
        return skopeo(List.of("--raw", "--tls-verify=false"), "docker://" + ref)
                .stdout()
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void dockerAndOciImagesReadBackBySkopeoWithTheSameDigest() throws Exception {
        TestImages images = TestImages.forRegistry(registry.get());
        for (TestImages.Format format : TestImages.Format.values()) {
            TestImages.Pushed p = images.pushImage("peer/check", format.name().toLowerCase(), "linux/arm/v7", format);
            assertThat(p.mediaType())
                    .isEqualTo(format == TestImages.Format.OCI ? TestImages.OCI_MANIFEST : TestImages.DOCKER_MANIFEST);
            byte[] raw = rawBySkopeo(registry.get().ref(p.byTag()));
            assertThat(TestImages.sha256(raw)).isEqualTo(p.digest());
            assertThat(raw).isEqualTo(p.manifest());
            JsonNode config = JSON.readTree(skopeo(
                            List.of("--config", "--tls-verify=false"),
                            "docker://" + registry.get().ref(p.byDigest()))
                    .stdout());
            assertThat(config.get("os").asText()).isEqualTo("linux");
            assertThat(config.get("architecture").asText()).isEqualTo("arm");
            assertThat(config.get("variant").asText()).isEqualTo("v7");
        }
    }

    @Test
    void indexesWithNestedIndexesAndAttestationsReadBackBySkopeo() throws Exception {
        TestImages images = TestImages.forRegistry(registry.get());
        TestImages.Pushed amd = images.pushImage("multi/app", null, "linux/amd64", TestImages.Format.OCI);
        TestImages.Pushed arm = images.pushImage("multi/app", null, "linux/arm64/v8", TestImages.Format.OCI);
        TestImages.IndexEntry att = images.attestationFor("multi/app", amd);
        TestImages.Pushed inner = images.pushIndex(
                "multi/app",
                "inner",
                TestImages.Format.OCI,
                List.of(TestImages.entry(amd), att),
                Map.of("org.opencontainers.image.title", "inner"));
        TestImages.Pushed outer = images.pushIndex(
                "multi/app", "outer", TestImages.Format.OCI, List.of(TestImages.entry(inner), TestImages.entry(arm)));

        byte[] raw = rawBySkopeo(registry.get().ref("multi/app:outer"));
        assertThat(TestImages.sha256(raw)).isEqualTo(outer.digest());
        JsonNode outerJson = JSON.readTree(raw);
        assertThat(outerJson.get("manifests").get(0).get("mediaType").asText()).isEqualTo(TestImages.OCI_INDEX);
        assertThat(outerJson.get("manifests").get(0).has("platform")).isFalse();
        assertThat(outerJson
                        .get("manifests")
                        .get(1)
                        .get("platform")
                        .get("variant")
                        .asText())
                .isEqualTo("v8");

        JsonNode innerJson = JSON.readTree(rawBySkopeo(registry.get().ref("multi/app@" + inner.digest())));
        JsonNode attEntry = innerJson.get("manifests").get(1);
        assertThat(attEntry.get("platform").get("os").asText()).isEqualTo("unknown");
        assertThat(attEntry.get("annotations")
                        .get("vnd.docker.reference.digest")
                        .asText())
                .isEqualTo(amd.digest());
        assertThat(attEntry.get("annotations").get("vnd.docker.reference.type").asText())
                .isEqualTo("attestation-manifest");
        assertThat(innerJson
                        .get("annotations")
                        .get("org.opencontainers.image.title")
                        .asText())
                .isEqualTo("inner");
        assertThat(TestImages.sha256(rawBySkopeo(registry.get().ref("multi/app@" + att.digest()))))
                .isEqualTo(att.digest());

        TestImages.Pushed list = images.pushIndex(
                "multi/app",
                "docker-list",
                TestImages.Format.DOCKER,
                List.of(TestImages.entry(
                        images.pushImage("multi/app", null, "linux/s390x", TestImages.Format.DOCKER))));
        assertThat(JSON.readTree(rawBySkopeo(registry.get().ref("multi/app:docker-list")))
                        .get("mediaType")
                        .asText())
                .isEqualTo(TestImages.DOCKER_LIST);
        assertThat(TestImages.sha256(rawBySkopeo(registry.get().ref("multi/app:docker-list"))))
                .isEqualTo(list.digest());
    }

    @Test
    void worksAgainstTlsBasicAuthAndTokenRegistries(@TempDir Path certDir) throws Exception {
        try (RegistryServer tls = RegistryServer.builder()
                        .tls()
                        .basicAuth("alice", "pw-alice")
                        .start();
                TokenIssuer issuer = new TokenIssuer();
                RegistryServer token =
                        RegistryServer.builder().tokenAuth(issuer).start()) {
            TestImages.Pushed a =
                    TestImages.forRegistry(tls).pushImage("sec/app", "1", "linux/ppc64le", TestImages.Format.DOCKER);
            Files.copy(tls.caFile(), certDir.resolve("ca.crt"));
            Exec.Result raw = skopeo(
                    List.of("--raw", "--cert-dir", certDir.toString(), "--creds", "alice:pw-alice"),
                    "docker://" + tls.ref("sec/app:1"));
            assertThat(TestImages.sha256(raw.stdout().getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(a.digest());

            TestImages.Pushed b =
                    TestImages.forRegistry(token).pushImage("tok/app", "1", "linux/riscv64", TestImages.Format.OCI);
            Exec.Result raw2 = skopeo(
                    List.of(
                            "--raw",
                            "--tls-verify=false",
                            "--creds",
                            issuer.defaultUser() + ":" + issuer.defaultPassword()),
                    "docker://" + token.ref("tok/app:1"));
            assertThat(TestImages.sha256(raw2.stdout().getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(b.digest());
            assertThat(issuer.requests())
                    .anySatisfy(r -> assertThat(r.scopes()).contains("repository:tok/app:pull,push"));
        }
    }
}
