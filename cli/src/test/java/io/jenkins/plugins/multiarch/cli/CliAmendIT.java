package io.jenkins.plugins.multiarch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.testing.Exec;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import io.jenkins.plugins.multiarch.testing.TestImages.Format;
import io.jenkins.plugins.multiarch.testing.TestImages.IndexEntry;
import io.jenkins.plugins.multiarch.testing.TestImages.Pushed;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code push-manifest-list --from} as a user runs it: the shaded jar against a real registry. */
class CliAmendIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain();

    @TempDir
    Path home;

    private String ns;

    @BeforeEach
    void namespace() {
        ns = "cli-amend-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private Exec.Result multiarch(String... args) {
        List<String> command =
                new ArrayList<>(List.of("java", "-jar", System.getProperty("multiarch.jar", "target/multiarch.jar")));
        command.addAll(List.of(args));
        command.addAll(List.of("--insecure-registry", host()));
        return Exec.run(
                command,
                Duration.ofSeconds(120),
                Map.of("DOCKER_CONFIG", home.toString(), "HOME", home.toString()),
                null,
                null);
    }

    private String host() {
        return registry.get().hostPort();
    }

    /** {@code ns/app:1.0}: amd64 and arm64, each with an attestation. */
    private List<Pushed> base() {
        String repo = ns + "/app";
        Pushed amd = registry.images().pushImage(repo, null, "linux/amd64", Format.OCI);
        Pushed arm = registry.images().pushImage(repo, null, "linux/arm64", Format.OCI);
        IndexEntry amdAtt = registry.images().attestationFor(repo, amd);
        IndexEntry armAtt = registry.images().attestationFor(repo, arm);
        registry.images()
                .pushIndex(
                        repo, "1.0", Format.OCI, List.of(TestImages.entry(amd), TestImages.entry(arm), amdAtt, armAtt));
        return List.of(amd, arm);
    }

    @Test
    void addsAndRemovesPlatformsReportsTheChangesAndIsIdempotent() throws Exception {
        List<Pushed> base = base();
        Pushed s390x = registry.images().pushImage(ns + "/app-s390x", "1.1", "linux/s390x", Format.OCI);
        String[] args = {
            "push-manifest-list",
            "--image",
            host() + "/" + ns + "/app",
            "--tag",
            "1.1",
            "--from",
            host() + "/" + ns + "/app:1.0",
            "--source",
            host() + "/" + s390x.byTag() + "=linux/s390x",
            "--remove",
            "linux/arm64"
        };
        Exec.Result first = multiarch(args);
        assertThat(first.exitCode()).as(first.stderr()).isEqualTo(0);
        String digest = Digest.sha256(
                        registry.images().getManifest(ns + "/app", "1.1").body())
                .toString();
        assertThat(first.stdout())
                .contains("Published " + host() + "/" + ns + "/app@" + digest)
                .contains("amended " + host() + "/" + ns + "/app:1.0")
                .contains("1 kept, 1 added, 0 replaced, 1 removed")
                .contains("removed linux/arm64")
                .contains("CHANGE");

        String[] json = java.util.Arrays.copyOf(args, args.length + 1);
        json[args.length] = "--json";
        Exec.Result again = multiarch(json);
        assertThat(again.exitCode()).as(again.stderr()).isEqualTo(0);
        JsonNode result = JSON.readTree(again.stdout());
        assertThat(result.get("digest").asText()).isEqualTo(digest);
        assertThat(result.get("tags").get(0).get("status").asText()).isEqualTo("unchanged");
        assertThat(result.get("amendment").get("removed").get(0).get("digest").asText())
                .isEqualTo(base.get(1).digest());
        assertThat(result.get("amendment").get("added").get(0).get("platform").asText())
                .isEqualTo("linux/s390x");
        // amd64, its attestation, s390x: arm64's attestation went with it
        assertThat(result.get("children")).hasSize(3);
    }

    @Test
    void exitCodesOfTheAmendment() {
        List<Pushed> base = base();
        Pushed amd = registry.images().pushImage(ns + "/app-amd64", "2.0", "linux/amd64", Format.OCI);

        Exec.Result missing = multiarch(
                "push-manifest-list",
                "--image",
                host() + "/" + ns + "/app",
                "--tag",
                "x",
                "--from",
                host() + "/" + ns + "/app:nope");
        assertThat(missing.exitCode()).as(missing.stderr()).isEqualTo(3);
        assertThat(missing.stderr()).contains("does not exist");

        Exec.Result twice = multiarch(
                "push-manifest-list",
                "--image",
                host() + "/" + ns + "/app",
                "--tag",
                "x",
                "--from",
                host() + "/" + ns + "/app:1.0",
                "--source",
                host() + "/" + amd.byTag());
        assertThat(twice.exitCode()).as(twice.stderr()).isEqualTo(3);
        assertThat(twice.stderr()).contains("given twice").contains("--replace");

        Exec.Result replaced = multiarch(
                "push-manifest-list",
                "--image",
                host() + "/" + ns + "/app",
                "--tag",
                "x",
                "--from",
                host() + "/" + ns + "/app:1.0",
                "--source",
                host() + "/" + amd.byTag(),
                "--replace");
        assertThat(replaced.exitCode()).as(replaced.stderr()).isEqualTo(0);
        assertThat(replaced.stdout())
                .contains("1 kept, 0 added, 1 replaced, 0 removed")
                .contains(amd.digest().substring(7, 19));

        Exec.Result all = multiarch(
                "push-manifest-list",
                "--image",
                host() + "/" + ns + "/app",
                "--tag",
                "y",
                "--from",
                host() + "/" + ns + "/app:1.0",
                "--remove",
                "linux/amd64",
                "--remove",
                "linux/arm64");
        assertThat(all.exitCode()).as(all.stderr()).isEqualTo(2);
        assertThat(all.stderr()).contains("empty list");

        Exec.Result noFrom = multiarch(
                "push-manifest-list",
                "--image",
                host() + "/" + ns + "/app",
                "--tag",
                "y",
                "--source",
                host() + "/" + amd.byTag(),
                "--remove",
                "linux/arm64");
        assertThat(noFrom.exitCode()).as(noFrom.stderr()).isEqualTo(2);
        assertThat(noFrom.stderr()).contains("--from");

        Exec.Result typo = multiarch(
                "push-manifest-list",
                "--image",
                host() + "/" + ns + "/app",
                "--tag",
                "y",
                "--from",
                host() + "/" + ns + "/app:1.0",
                "--remove",
                "linux/amd65");
        assertThat(typo.exitCode()).as(typo.stderr()).isEqualTo(2);
        assertThat(base).hasSize(2);
    }
}
