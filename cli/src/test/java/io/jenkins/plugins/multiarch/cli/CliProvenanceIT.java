package io.jenkins.plugins.multiarch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.Exec;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code multiarch build --provenance min|max|off} as a user runs it (the shaded jar, buildah, a real registry): the
 * default attaches provenance and the summary shows its digest; off attaches none; a typo or a Docker list that
 * cannot carry it is bad input (exit 2) before anything is built.
 */
class CliProvenanceIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> registry =
            RegistryExtension.plain().requiring(Component.BUILDAH);

    @TempDir
    Path work;

    private Exec.Result multiarch(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("java", "-jar", System.getProperty("multiarch.jar")));
        command.addAll(List.of(args));
        Path dockerConfig = Files.createDirectories(work.resolve("docker-config"));
        if (!Files.exists(dockerConfig.resolve("config.json"))) {
            // buildah stats $DOCKER_CONFIG/config.json when DOCKER_CONFIG is set: an empty login file, no credentials
            Files.writeString(dockerConfig.resolve("config.json"), "{}");
        }
        // the context must lie inside the working directory: run from the temporary folder that holds it
        return Exec.run(
                command,
                Duration.ofMinutes(5),
                Map.of("DOCKER_CONFIG", work.resolve("docker-config").toString()),
                work,
                null);
    }

    /** A context FROM scratch (no RUN), so buildah builds it anywhere in a moment. */
    private String context(String marker) throws Exception {
        Path ctx = Files.createDirectories(work.resolve("ctx-" + marker));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY hello.txt /hello.txt\n");
        Files.writeString(ctx.resolve("hello.txt"), marker + UUID.randomUUID() + "\n");
        return ctx.getFileName().toString();
    }

    private List<String> build(String image, String context, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "build",
                "--builder",
                "buildah",
                "--buildah-root",
                work.resolve("buildah-root").toString(),
                "--buildah-runroot",
                work.resolve("buildah-run").toString(),
                "--image",
                registry.get().hostPort() + "/" + image,
                "--tag",
                "1.0",
                "--platform",
                "linux/amd64",
                "--records",
                work.resolve("records").toString(),
                "--insecure-registry",
                registry.get().hostPort()));
        args.addAll(List.of(extra));
        args.add(context);
        return args;
    }

    /** The record the build wrote for linux/amd64 of {@code image} (records/<registry>/<repository>/). */
    private JsonNode record(String image) throws Exception {
        try (var files = Files.walk(work.resolve("records"))) {
            Path file = files.filter(
                            p -> p.endsWith("linux-amd64.json") && p.toString().contains(image))
                    .findFirst()
                    .orElseThrow();
            return JSON.readTree(file.toFile());
        }
    }

    @Test
    void theDefaultIsMinAndTheSummaryShowsTheProvenanceDigest() throws Exception {
        String image = "cli-prov/min";
        Exec.Result r = multiarch(build(image, context("min")).toArray(String[]::new));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode provenance = record(image).path("provenance");
        assertThat(provenance.path("mode").asText()).isEqualTo("min");
        String digest = provenance.path("digest").asText();
        assertThat(digest).startsWith("sha256:");
        assertThat(r.stdout()).contains("PROVENANCE").contains(digest);
        assertThat(r.stdout() + r.stderr()).contains("attached provenance (min) " + digest);
        // the list carries it: one image entry, one attestation entry
        Exec.Result inspect = multiarch(
                "inspect",
                registry.get().hostPort() + "/" + image + ":1.0",
                "--insecure-registry",
                registry.get().hostPort(),
                "--raw");
        assertThat(inspect.exitCode()).as(inspect.stderr()).isZero();
        JsonNode list = JSON.readTree(inspect.stdout());
        assertThat(list.path("manifests")).hasSize(2);
        assertThat(list.at("/manifests/1/digest").asText()).isEqualTo(digest);
        assertThat(list.at("/manifests/1/annotations/vnd.docker.reference.type").asText())
                .isEqualTo("attestation-manifest");
    }

    @Test
    void offAttachesNoProvenance() throws Exception {
        String image = "cli-prov/off";
        Exec.Result r =
                multiarch(build(image, context("off"), "--provenance", "off").toArray(String[]::new));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(record(image).has("provenance")).isFalse();
        assertThat(r.stdout() + r.stderr()).doesNotContain("attached provenance");
        Exec.Result inspect = multiarch(
                "inspect",
                registry.get().hostPort() + "/" + image + ":1.0",
                "--insecure-registry",
                registry.get().hostPort(),
                "--raw");
        assertThat(inspect.exitCode()).as(inspect.stderr()).isZero();
        assertThat(JSON.readTree(inspect.stdout()).path("manifests")).hasSize(1);
    }

    @Test
    void aTypoIsBadInputNamingTheOptionAndNothingIsPushed() throws Exception {
        int mark = registry.get().mark();
        Exec.Result r = multiarch(
                build("cli-prov/typo", context("typo"), "--provenance", "maxi").toArray(String[]::new));
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(2);
        assertThat(r.stderr())
                .contains("--provenance")
                .contains("maxi")
                .contains("min")
                .contains("off");
        assertThat(registry.get().requestsSince(mark)).isEmpty();
    }

    @Test
    void aDockerListCannotCarryProvenanceAndIsRefusedBeforeBuilding() throws Exception {
        int mark = registry.get().mark();
        Exec.Result r = multiarch(build("cli-prov/docker", context("docker"), "--format", "docker")
                .toArray(String[]::new));
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(2);
        assertThat(r.stderr()).contains("format docker").contains("--provenance off");
        assertThat(registry.get().requestsSince(mark)).noneMatch(q -> q.method().equals("PUT"));
    }
}
