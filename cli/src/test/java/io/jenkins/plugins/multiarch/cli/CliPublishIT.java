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
import io.jenkins.plugins.multiarch.testing.TestImages.Pushed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a user runs it: {@code java -jar cli/target/multiarch.jar} (what {@code bin/multiarch} runs)
 * against real registries. Checks output, JSON, exit codes and that passwords never show.
 */
class CliPublishIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain();

    @TempDir
    Path home;

    private Exec.Result multiarch(byte[] stdin, String... args) {
        List<String> command =
                new ArrayList<>(List.of("java", "-jar", System.getProperty("multiarch.jar", "target/multiarch.jar")));
        command.addAll(List.of(args));
        // an empty Docker config: no credentials leak in from the machine running the tests
        return Exec.run(
                command,
                Duration.ofSeconds(120),
                Map.of("DOCKER_CONFIG", home.toString(), "HOME", home.toString()),
                null,
                stdin);
    }

    private String host() {
        return registry.get().hostPort();
    }

    @Test
    void publishesTheSeedLayoutPrintsTheDigestAndIsIdempotent() throws Exception {
        Pushed amd = registry.images().pushImage("onap/py-app-amd64", "1.0", "linux/amd64", Format.DOCKER);
        Pushed arm = registry.images().pushImage("onap/py-app-arm64v8", "1.0", "linux/arm64/v8", Format.DOCKER);
        String[] args = {
            "push-manifest-list",
            "--image",
            host() + "/onap/py-app",
            "--tag",
            "1.0",
            "--tag",
            "latest",
            "--source",
            host() + "/" + amd.byTag() + "=linux/amd64",
            "--source",
            host() + "/" + arm.byTag() + "=linux/arm64",
            "--require",
            "linux/amd64",
            "--require",
            "linux/arm64",
            "--insecure-registry",
            host()
        };

        Exec.Result first = multiarch(null, args);
        assertThat(first.exitCode()).as(first.stderr()).isEqualTo(0);
        TestImages.Fetched stored = registry.images().getManifest("onap/py-app", "1.0");
        String digest = Digest.sha256(stored.body()).toString();
        assertThat(first.stdout())
                .contains("Published " + host() + "/onap/py-app@" + digest)
                .contains("linux/amd64")
                .contains("linux/arm64/v8")
                .contains("mounted")
                .contains("docker pull --platform linux/arm64 " + host() + "/onap/py-app:1.0");

        String[] json = java.util.Arrays.copyOf(args, args.length + 1);
        json[args.length] = "--json";
        Exec.Result again = multiarch(null, json);
        assertThat(again.exitCode()).as(again.stderr()).isEqualTo(0);
        JsonNode result = JSON.readTree(again.stdout());
        assertThat(result.get("digest").asText()).isEqualTo(digest);
        assertThat(result.get("tags").get(0).get("status").asText()).isEqualTo("unchanged");
        assertThat(result.get("children")).hasSize(2);

        Exec.Result inspect = multiarch(null, "inspect", host() + "/onap/py-app:1.0", "--insecure-registry", host());
        assertThat(inspect.exitCode()).as(inspect.stderr()).isEqualTo(0);
        assertThat(inspect.stdout()).contains(digest).contains(amd.digest()).contains("linux/arm64/v8 ok");
        Exec.Result verbose =
                multiarch(null, "inspect", "--verbose", host() + "/onap/py-app:1.0", "--insecure-registry", host());
        assertThat(JSON.readTree(verbose.stdout()).get(1).get("Ref").asText())
                .isEqualTo(host() + "/onap/py-app:1.0@" + arm.digest());
    }

    @Test
    void exitCodesNameTheFailureFamily() {
        Pushed amd = registry.images().pushImage("codes/app-amd64", "1.0", "linux/amd64", Format.DOCKER);
        String src = host() + "/" + amd.byTag();

        Exec.Result badPlatform = multiarch(
                null,
                "push-manifest-list",
                "--image",
                host() + "/codes/app",
                "--tag",
                "1",
                "--source",
                src + "=linux/",
                "--insecure-registry",
                host());
        assertThat(badPlatform.exitCode()).isEqualTo(2);
        assertThat(badPlatform.stderr()).contains("error: ").contains("linux/");

        Exec.Result badReference = multiarch(
                null,
                "push-manifest-list",
                "--image",
                host() + "/Codes/App",
                "--tag",
                "1",
                "--source",
                src,
                "--insecure-registry",
                host());
        assertThat(badReference.exitCode()).isEqualTo(2);
        assertThat(badReference.stderr()).contains("lowercase");

        Exec.Result noTag = multiarch(null, "push-manifest-list", "--image", host() + "/codes/app", "--source", src);
        assertThat(noTag.exitCode()).isEqualTo(2);

        Exec.Result lie = multiarch(
                null,
                "push-manifest-list",
                "--image",
                host() + "/codes/app",
                "--tag",
                "1",
                "--source",
                src + "=linux/arm64",
                "--insecure-registry",
                host());
        assertThat(lie.exitCode()).isEqualTo(3);
        assertThat(lie.stderr()).contains("claims platform linux/arm64").contains("linux/amd64");
        assertThat(registry.images().getManifest("codes/app", "1").status()).isEqualTo(404);

        Exec.Result down = multiarch(
                null,
                "push-manifest-list",
                "--image",
                "127.0.0.1:9/codes/app",
                "--tag",
                "1",
                "--source",
                "127.0.0.1:9/codes/app-amd64:1.0",
                "--insecure-registry",
                "127.0.0.1:9");
        assertThat(down.exitCode()).isEqualTo(4);
        assertThat(down.stderr()).contains("127.0.0.1:9");

        Exec.Result unknownCommand = multiarch(null, "frobnicate");
        assertThat(unknownCommand.exitCode()).isEqualTo(2);
        Exec.Result help = multiarch(null, "--help");
        assertThat(help.exitCode()).isEqualTo(0);
        assertThat(help.stdout())
                .contains("push-manifest-list")
                .contains("Exit codes")
                .contains("verification failed");
    }

    @Test
    void passwordFromStdinAndFromDockerConfigNeverShows() throws Exception {
        String password = "pw-" + System.nanoTime();
        try (RegistryServer secured =
                RegistryServer.builder().tls().basicAuth("ci", password).start()) {
            TestImages securedImages = TestImages.forRegistry(secured);
            Pushed amd = securedImages.pushImage("sec/app-amd64", "1", "linux/amd64", Format.OCI);
            String src = secured.hostPort() + "/" + amd.byTag() + "=linux/amd64";

            Exec.Result viaStdin = multiarch(
                    (password + "\n").getBytes(StandardCharsets.UTF_8),
                    "push-manifest-list",
                    "--image",
                    secured.hostPort() + "/sec/app",
                    "--tag",
                    "1",
                    "--source",
                    src,
                    "--ca-file",
                    secured.caFile().toString(),
                    "--username",
                    "ci",
                    "--password-stdin",
                    "--debug");
            assertThat(viaStdin.exitCode()).as(viaStdin.stderr()).isEqualTo(0);
            assertThat(viaStdin.stdout() + viaStdin.stderr())
                    .doesNotContain(password)
                    .doesNotContain(
                            Base64.getEncoder().encodeToString(("ci:" + password).getBytes(StandardCharsets.UTF_8)));

            Exec.Result wrong = multiarch(
                    "not-it\n".getBytes(StandardCharsets.UTF_8),
                    "push-manifest-list",
                    "--image",
                    secured.hostPort() + "/sec/app",
                    "--tag",
                    "2",
                    "--source",
                    src,
                    "--ca-file",
                    secured.caFile().toString(),
                    "--username",
                    "ci",
                    "--password-stdin");
            assertThat(wrong.exitCode()).isEqualTo(4);
            assertThat(wrong.stderr()).contains(secured.hostPort()).doesNotContain("not-it");

            // as `docker login` writes it
            String auth = Base64.getEncoder().encodeToString(("ci:" + password).getBytes(StandardCharsets.UTF_8));
            Files.writeString(
                    home.resolve("config.json"),
                    "{\"auths\":{\"" + secured.hostPort() + "\":{\"auth\":\"" + auth + "\"}}}");
            Exec.Result viaConfig = multiarch(
                    null,
                    "inspect",
                    secured.hostPort() + "/sec/app:1",
                    "--ca-file",
                    secured.caFile().toString(),
                    "--json",
                    "--debug");
            assertThat(viaConfig.exitCode()).as(viaConfig.stderr()).isEqualTo(0);
            assertThat(viaConfig.stdout() + viaConfig.stderr())
                    .doesNotContain(password)
                    .doesNotContain(auth);

            // without the CA the TLS certificate is not trusted: a registry error, no silent downgrade
            Exec.Result untrusted = multiarch(null, "inspect", secured.hostPort() + "/sec/app:1");
            assertThat(untrusted.exitCode()).isEqualTo(4);
        }
    }

    @Test
    void dryRunAndRecordsDirectory(@TempDir Path records) throws Exception {
        Pushed amd = registry.images().pushImage("rec/app", "amd", "linux/amd64", Format.OCI);
        Pushed arm = registry.images().pushImage("rec/app", "arm", "linux/arm/v7", Format.OCI);
        Exec.Result dry = multiarch(
                null,
                "push-manifest-list",
                "--image",
                host() + "/rec/app",
                "--tag",
                "1.0",
                "--source",
                host() + "/" + amd.byDigest(),
                "--source",
                host() + "/" + arm.byDigest(),
                "--dry-run",
                "--insecure-registry",
                host());
        assertThat(dry.exitCode()).as(dry.stderr()).isEqualTo(0);
        assertThat(dry.stdout()).contains("Dry run, nothing written").contains("linux/arm/v7");
        assertThat(registry.images().getManifest("rec/app", "1.0").status()).isEqualTo(404);

        Exec.Result empty = multiarch(
                null,
                "push-manifest-list",
                "--image",
                host() + "/rec/app",
                "--tag",
                "1.0",
                "--records",
                records.toString(),
                "--insecure-registry",
                host());
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.stderr()).contains("holds no record").contains(records.toString());
    }

    @Test
    void badInputIsExit2WhereverItIsGiven(@TempDir Path records) throws Exception {
        Pushed amd = registry.images().pushImage("typo/app-amd64", "1.0", "linux/amd64", Format.OCI);
        String src = host() + "/" + amd.byTag();
        int mark = registry.get().mark();

        Exec.Result typo = multiarch(
                null,
                "push-manifest-list",
                "--image",
                host() + "/typo/app",
                "--tag",
                "1",
                "--source",
                src + "=linux/amd65",
                "--insecure-registry",
                host());
        assertThat(typo.exitCode()).as(typo.stderr()).isEqualTo(2);
        assertThat(typo.stderr()).contains("unknown architecture 'amd65'").contains("--source");

        Exec.Result requireTypo = multiarch(
                null,
                "push-manifest-list",
                "--image",
                host() + "/typo/app",
                "--tag",
                "1",
                "--source",
                src,
                "--require",
                "linux/amd65",
                "--insecure-registry",
                host());
        assertThat(requireTypo.exitCode()).as(requireTypo.stderr()).isEqualTo(2);
        assertThat(requireTypo.stderr()).contains("--require").contains("amd65");

        // a tag in --image would be published too: refused, the fix named
        Exec.Result tagInImage = multiarch(
                null,
                "push-manifest-list",
                "--image",
                host() + "/typo/app:foo",
                "--tag",
                "1",
                "--source",
                src,
                "--insecure-registry",
                host());
        assertThat(tagInImage.exitCode()).as(tagInImage.stderr()).isEqualTo(2);
        assertThat(tagInImage.stderr())
                .contains("--image")
                .contains("has a tag")
                .contains("--tag");

        // a record file where its folder is expected
        Path file = Files.writeString(records.resolve("linux-amd64.json"), "{}");
        Exec.Result recordFile = multiarch(
                null,
                "push-manifest-list",
                "--image",
                host() + "/typo/app",
                "--tag",
                "1",
                "--records",
                file.toString(),
                "--insecure-registry",
                host());
        assertThat(recordFile.exitCode()).as(recordFile.stderr()).isEqualTo(2);
        assertThat(recordFile.stderr()).contains("a folder is expected").doesNotContain("does not exist");

        // a secret given without its name is not echoed
        Exec.Result annotation = multiarch(
                null,
                "push-manifest-list",
                "--image",
                host() + "/typo/app",
                "--tag",
                "1",
                "--source",
                src,
                "--annotation",
                "=hunter2",
                "--insecure-registry",
                host());
        assertThat(annotation.exitCode()).isEqualTo(2);
        assertThat(annotation.stderr()).contains("--annotation entry 1 of 1").doesNotContain("hunter2");

        assertThat(registry.get().requestsSince(mark))
                .as("bad input is refused before any request")
                .isEmpty();
        assertThat(registry.images().getManifest("typo/app", "1").status()).isEqualTo(404);
        assertThat(registry.images().getManifest("typo/app", "foo").status()).isEqualTo(404);
    }

    @Test
    void recordsPublishRequiresEveryRecordedPlatformAndRemovesTemporaryTagsWhereItCan(@TempDir Path records)
            throws Exception {
        String tag = "build-amd64-0123456789ab";
        Pushed amd = registry.images().pushImage("recs/app", tag, "linux/amd64", Format.OCI);
        // the record a digest-naming build writes
        io.jenkins.plugins.multiarch.image.ImageReference repo =
                io.jenkins.plugins.multiarch.image.ImageReference.parse(host() + "/recs/app");
        io.jenkins.plugins.multiarch.record.RecordStore.write(
                records,
                new io.jenkins.plugins.multiarch.record.ArchImageRecord(
                        io.jenkins.plugins.multiarch.record.ArchImageRecord.SCHEMA_VERSION,
                        repo,
                        List.of(repo.withTag(tag)),
                        Digest.parse(amd.digest()),
                        new io.jenkins.plugins.multiarch.image.MediaType(amd.mediaType()),
                        amd.size(),
                        io.jenkins.plugins.multiarch.image.Platform.parse("linux/amd64"),
                        io.jenkins.plugins.multiarch.image.Platform.parse("linux/amd64"),
                        false,
                        "buildah",
                        null,
                        "host",
                        null,
                        java.time.Instant.now(),
                        java.time.Instant.now(),
                        null,
                        List.of(),
                        io.jenkins.plugins.multiarch.image.Naming.DIGEST));
        int mark = registry.get().mark();

        Exec.Result published = multiarch(
                null,
                "push-manifest-list",
                "--image",
                host() + "/recs/app",
                "--tag",
                "1.0",
                "--records",
                records.toString(),
                "--insecure-registry",
                host());
        assertThat(published.exitCode()).as(published.stderr()).isEqualTo(0);
        assertThat(registry.images().getManifest("recs/app", "1.0").status()).isEqualTo(200);
        // distribution 2.8 cannot delete a tag alone: the delete was tried, the tag stays, one line says so
        assertThat(registry.get().requestsSince(mark))
                .anyMatch(r -> r.method().equals("DELETE") && r.path().endsWith("/manifests/" + tag));
        assertThat(published.stderr()).contains("left 1 temporary tag(s) in place");
        assertThat(registry.images().getManifest("recs/app", tag).status())
                .as("the image stays")
                .isEqualTo(200);

        // every recorded platform is required: --require of another one fails before any tag moves
        Exec.Result missing = multiarch(
                null,
                "push-manifest-list",
                "--image",
                host() + "/recs/app",
                "--tag",
                "2.0",
                "--records",
                records.toString(),
                "--require",
                "linux/arm64",
                "--insecure-registry",
                host());
        assertThat(missing.exitCode()).as(missing.stderr()).isEqualTo(3);
        assertThat(missing.stderr()).contains("linux/arm64");
        assertThat(registry.images().getManifest("recs/app", "2.0").status()).isEqualTo(404);
    }

    @Test
    void insecureRegistryOnATlsRegistrySaysItSpeaksHttps() {
        try (RegistryServer tls = RegistryServer.builder().tls().start()) {
            Exec.Result r =
                    multiarch(null, "inspect", tls.hostPort() + "/x/app:1", "--insecure-registry", tls.hostPort());
            assertThat(r.exitCode()).as(r.stderr()).isEqualTo(4);
            assertThat(r.stderr())
                    .contains(tls.hostPort() + " speaks HTTPS")
                    .contains("--insecure-registry")
                    .doesNotContain("Check the request");
        }
    }

    @Test
    void aHangingRegistryShowsTheWaitAndGivesUpAfterTimeout() throws Exception {
        try (java.net.ServerSocket silent =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            // accepts connections and never answers
            Thread acceptor = new Thread(() -> {
                List<java.net.Socket> open = new ArrayList<>();
                try {
                    while (true) {
                        open.add(silent.accept());
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String hang = "127.0.0.1:" + silent.getLocalPort();
            long start = System.nanoTime();
            Exec.Result r =
                    multiarch(null, "inspect", hang + "/x/app:1", "--insecure-registry", hang, "--timeout", "8");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(r.exitCode()).as(r.stderr()).isEqualTo(4);
            assertThat(r.stderr())
                    .contains("waiting for registry " + hang + ": no answer for 5 s")
                    .contains("--timeout");
            assertThat(took).isLessThan(Duration.ofSeconds(60));
        }
    }

    @Test
    void helpExamplesAreWholeLines() {
        for (Class<?> command : List.of(PushManifestListCommand.class, InspectCommand.class, BuildCommand.class)) {
            picocli.CommandLine.Command c = command.getAnnotation(picocli.CommandLine.Command.class);
            Exec.Result help = multiarch(null, c.name(), "--help");
            assertThat(help.exitCode()).isEqualTo(0);
            List<String> lines =
                    help.stdout().lines().map(String::stripTrailing).toList();
            List<String> examples = java.util.Arrays.stream(c.description())
                    .filter(l -> l.startsWith("  multiarch ") || l.startsWith("    --"))
                    .toList();
            assertThat(examples).as(c.name()).hasSizeGreaterThanOrEqualTo(2);
            // each example line is printed as written: no continuation split mid-line, no break inside a reference
            assertThat(lines).as(help.stdout()).containsAll(examples);
            assertThat(help.stdout()).doesNotContain("\u001b[");
        }
    }
}
