package io.jenkins.plugins.multiarch.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageIndex;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import io.jenkins.plugins.multiarch.manifest.Manifest;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.Exec;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import io.jenkins.plugins.multiarch.testing.TestImages.Format;
import io.jenkins.plugins.multiarch.testing.TestImages.Pushed;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provenance stored as BuildKit stores attestations, in a real registry (docker-registry, distribution 2.8), read
 * back by our client, by skopeo and by {@code docker manifest inspect}.
 */
class AttestationRegistryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RegistryServer registry;
    private static TestImages images;
    private static RegistryClient client;

    @TempDir
    Path dockerConfig;

    @BeforeAll
    static void start() {
        Components.require(Components.Component.REGISTRY);
        registry = RegistryServer.plain();
        images = TestImages.forRegistry(registry);
        client = new RegistryClient(
                RegistrySettings.builder().insecureRegistry(registry.hostPort()).build());
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    /** What one attached build left in the registry. */
    private record Attached(
            ImageReference repo,
            Descriptor child,
            ProvenanceStatement statement,
            AttestationManifest attestation,
            Descriptor entry,
            RawManifest index) {}

    /** Pushes an arm64 child, its provenance and an OCI index of both under {@code ns/app:1.0}. */
    private Attached attach(String ns, ProvenanceMode mode, boolean withSubject) {
        Pushed pushed = images.pushImage(ns + "/app", "build-arm64", "linux/arm64", Format.OCI);
        ImageReference repo = ImageReference.parse(registry.hostPort() + "/" + ns + "/app");
        RawManifest childManifest = client.fetchManifest(repo.withDigest(Digest.parse(pushed.digest())));
        Descriptor child = childManifest.descriptor().withPlatform(Platform.parse("linux/arm64"));
        ProvenanceStatement statement = ProvenanceStatement.of(
                repo.withTag("1.0"), child.digest(), ProvenanceFacts.arm64().build(), mode);
        AttestationManifest attestation = AttestationManifest.of(statement, child, withSubject);
        Descriptor entry = new AttestationPush(client, LogListener.NONE).push(repo, attestation);
        RawManifest index = RawManifest.of(new ImageIndex(MediaType.OCI_INDEX, List.of(child, entry), Map.of()));
        assertThat(client.putManifest(repo.withTag("1.0"), index)).isEqualTo(index.digest());
        return new Attached(repo, child, statement, attestation, entry, index);
    }

    @Test
    void theStatementReadBackFromTheRegistryIsAboutTheChildItIsAttachedTo() throws Exception {
        Attached a = attach("subject", ProvenanceMode.MIN, false);

        Manifest read = client.fetchManifest(a.repo().withTag("1.0")).parsed();
        assertThat(read).isInstanceOf(ImageIndex.class);
        List<Descriptor> entries = ((ImageIndex) read).manifests();
        assertThat(entries).hasSize(2);
        Descriptor child = entries.get(0);
        Descriptor attestationEntry = entries.get(1);
        assertThat(child.isAttestation()).isFalse();
        assertThat(attestationEntry.isAttestation()).isTrue();
        assertThat(attestationEntry.platform()).isEqualTo(Platform.UNKNOWN);
        assertThat(attestationEntry.attestedDigest()).contains(child.digest());

        // the attestation manifest: config and one in-toto layer annotated with the predicate type
        RawManifest attestationManifest = client.fetchManifest(a.repo().withDigest(attestationEntry.digest()));
        ImageManifest manifest = (ImageManifest) attestationManifest.parsed();
        assertThat(manifest.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
        assertThat(manifest.subject()).isNull();
        assertThat(manifest.layers()).hasSize(1);
        Descriptor layer = manifest.layers().get(0);
        assertThat(layer.mediaType()).isEqualTo(MediaType.IN_TOTO);
        assertThat(layer.annotations()).containsEntry("in-toto.io/predicate-type", "https://slsa.dev/provenance/v1");
        JsonNode config =
                JSON.readTree(client.fetchBlob(a.repo(), manifest.config().digest(), 1 << 20));
        assertThat(config.path("architecture").asText()).isEqualTo("unknown");
        assertThat(config.path("os").asText()).isEqualTo("unknown");
        assertThat(config.path("config").isObject()).isTrue();
        assertThat(config.at("/rootfs/type").asText()).isEqualTo("layers");
        assertThat(config.at("/rootfs/diff_ids/0").asText())
                .isEqualTo(layer.digest().toString());

        // the layer's bytes are the statement, and its subject is the child's manifest digest as the registry has it
        byte[] layerBytes = client.fetchBlob(a.repo(), layer.digest(), 1 << 20);
        assertThat(layerBytes).isEqualTo(a.statement().bytes());
        ProvenanceStatement.Summary summary = ProvenanceStatement.read(layerBytes);
        Digest childAsStored =
                Digest.sha256(images.getManifest("subject/app", "build-arm64").body());
        assertThat(summary.subjectDigest()).isEqualTo(childAsStored).isEqualTo(child.digest());
        assertThat(summary.subjectName()).isEqualTo(registry.hostPort() + "/subject/app");
        assertThat(summary.platform()).isEqualTo("linux/arm64");
    }

    @Test
    void maxProvenanceReadBackHasTheBuildArgNamesAndNoValue() {
        Attached a = attach("max", ProvenanceMode.MAX, false);
        byte[] layer = client.fetchBlob(a.repo(), a.attestation().layer().digest(), 1 << 20);
        assertThat(ProvenanceStatement.read(layer).buildArgNames()).containsExactly("APP_VERSION", "NPM_TOKEN");
        String text = new String(layer, StandardCharsets.UTF_8);
        ProvenanceFacts.BUILD_ARGS.values().forEach(v -> assertThat(text).doesNotContain(v));
    }

    @Test
    void dockerManifestInspectReadsTheIndexWithItsAttestationEntry() throws Exception {
        Components.require(Components.Component.DOCKER_CLI);
        Attached a = attach("docker-cli", ProvenanceMode.MIN, false);
        Files.writeString(dockerConfig.resolve("config.json"), "{}");
        Exec.Result r = Exec.run(
                        List.of(
                                "docker",
                                "manifest",
                                "inspect",
                                "--insecure",
                                a.repo().withTag("1.0").toString()),
                        Duration.ofSeconds(60),
                        Map.of("DOCKER_CONFIG", dockerConfig.toString()),
                        null,
                        null)
                .orThrow();
        JsonNode list = JSON.readTree(r.stdout());
        assertThat(list.path("mediaType").asText()).isEqualTo(MediaType.OCI_INDEX.value());
        assertThat(list.path("manifests")).hasSize(2);
        JsonNode child = list.path("manifests").get(0);
        JsonNode attestation = list.path("manifests").get(1);
        assertThat(child.path("digest").asText()).isEqualTo(a.child().digest().toString());
        assertThat(child.at("/platform/architecture").asText()).isEqualTo("arm64");
        assertThat(attestation.path("digest").asText())
                .isEqualTo(a.attestation().digest().toString());
        assertThat(attestation.at("/platform/architecture").asText()).isEqualTo("unknown");
        assertThat(attestation.at("/platform/os").asText()).isEqualTo("unknown");
        assertThat(attestation.path("size").asLong())
                .isEqualTo(a.attestation().manifest().size());
        // docker 28's manifest inspect re-serialises the list without descriptor annotations; the raw bytes, with
        // the vnd.docker.reference.* annotations, are checked through skopeo and our client
    }

    @Test
    void dockerManifestInspectReadsTheAttestationManifestByDigest() throws Exception {
        Components.require(Components.Component.DOCKER_CLI);
        Attached a = attach("docker-cli-att", ProvenanceMode.MIN, false);
        Files.writeString(dockerConfig.resolve("config.json"), "{}");
        Exec.Result r = Exec.run(
                        List.of(
                                "docker",
                                "manifest",
                                "inspect",
                                "--insecure",
                                a.repo().withDigest(a.attestation().digest()).toString()),
                        Duration.ofSeconds(60),
                        Map.of("DOCKER_CONFIG", dockerConfig.toString()),
                        null,
                        null)
                .orThrow();
        JsonNode manifest = JSON.readTree(r.stdout());
        assertThat(manifest.at("/config/digest").asText())
                .isEqualTo(a.attestation().config().digest().toString());
        assertThat(manifest.at("/layers/0/mediaType").asText()).isEqualTo("application/vnd.in-toto+json");
        assertThat(manifest.at("/layers/0/digest").asText())
                .isEqualTo(a.statement().digest().toString());
    }

    @Test
    void skopeoReadsTheIndexAndTheAttestationManifestByteForByte() {
        Components.require(Components.Component.SKOPEO);
        Attached a = attach("skopeo", ProvenanceMode.MIN, false);
        byte[] index = skopeoRaw(a.repo().withTag("1.0"));
        assertThat(index).isEqualTo(a.index().bytes());
        byte[] attestation = skopeoRaw(a.repo().withDigest(a.attestation().digest()));
        assertThat(Digest.sha256(attestation)).isEqualTo(a.attestation().digest());
        assertThat(attestation).isEqualTo(a.attestation().manifest().bytes());
    }

    private static byte[] skopeoRaw(ImageReference ref) {
        return Exec.run(
                        List.of("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + ref),
                        Duration.ofSeconds(60))
                .orThrow()
                .stdout()
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The referrers decision, on the registry we test with: distribution 2.8 has no referrers API (404), and still
     * accepts and serves verbatim an attestation manifest that names a subject (so setting it where unsupported
     * would be harmless, but it would change the digest for nothing: we set it only where the API answers).
     */
    @Test
    void distribution28HasNoReferrersApiAndStoresAManifestWithASubjectVerbatim() throws Exception {
        Attached plain = attach("referrers", ProvenanceMode.MIN, false);
        HttpResponse<String> referrers = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(registry.baseUri() + "/v2/referrers/app/referrers/"
                                        + plain.child().digest()))
                                .header("Accept", MediaType.OCI_INDEX.value())
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(referrers.statusCode()).isEqualTo(404);

        AttestationManifest withSubject = AttestationManifest.of(plain.statement(), plain.child(), true);
        assertThat(withSubject.digest()).isNotEqualTo(plain.attestation().digest());
        Descriptor entry = new AttestationPush(client, LogListener.NONE).push(plain.repo(), withSubject);
        assertThat(entry.digest()).isEqualTo(withSubject.digest());
        RawManifest stored = client.fetchManifest(plain.repo().withDigest(withSubject.digest()));
        assertThat(stored.bytes()).isEqualTo(withSubject.manifest().bytes());
        Descriptor subject = ((ImageManifest) stored.parsed()).subject();
        assertThat(subject.digest()).isEqualTo(plain.child().digest());
        assertThat(subject.mediaType()).isEqualTo(plain.child().mediaType());
        assertThat(subject.size()).isEqualTo(plain.child().size());
    }

    @Test
    void aSecondPushOfTheSameAttestationSendsNoBlobAndGivesTheSameEntry() throws Exception {
        Attached a = attach("again", ProvenanceMode.MIN, false);
        // the access log is written as requests finish: count from the first attach's last request (the index PUT)
        int before = awaitLogged("PUT", "/v2/again/app/manifests/1.0", 0) + 1;
        Descriptor again = new AttestationPush(client, LogListener.NONE).push(a.repo(), a.attestation());
        assertThat(again).isEqualTo(a.entry());
        int last =
                awaitLogged("PUT", "/v2/again/app/manifests/" + a.attestation().digest(), before);
        List<String> uploads = new ArrayList<>();
        registry.accessLog().subList(before, last + 1).stream()
                .filter(r -> r.path().contains("/blobs/uploads"))
                .forEach(r -> uploads.add(r.toString()));
        assertThat(uploads).isEmpty();
    }

    /** The index in the access log of a request with this method and path at {@code from} or later (waits 10 s). */
    private static int awaitLogged(String method, String path, int from) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            List<RegistryServer.Request> log = registry.accessLog();
            for (int i = log.size() - 1; i >= from; i--) {
                if (log.get(i).method().equals(method) && log.get(i).path().equals(path)) {
                    return i;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the registry never logged " + method + " " + path + "; it logged " + log);
            }
            Thread.sleep(50);
        }
    }
}
