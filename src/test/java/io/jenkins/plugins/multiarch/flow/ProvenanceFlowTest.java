package io.jenkins.plugins.multiarch.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.builder.BuildFixtures;
import io.jenkins.plugins.multiarch.builder.BuildRequest;
import io.jenkins.plugins.multiarch.builder.BuildahBuilder;
import io.jenkins.plugins.multiarch.copy.Copier;
import io.jenkins.plugins.multiarch.copy.CopyRequest;
import io.jenkins.plugins.multiarch.copy.CopyResult;
import io.jenkins.plugins.multiarch.copy.CopyTarget;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageIndex;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.provenance.ProvenanceMode;
import io.jenkins.plugins.multiarch.provenance.ProvenanceOptions;
import io.jenkins.plugins.multiarch.provenance.ProvenanceStatement;
import io.jenkins.plugins.multiarch.publish.PublishRequest;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.RecordStore;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.BaseImages;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.Exec;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provenance from a real buildah build to the published list (issue 13, part 1): the build pushes the attestation
 * manifest beside the image and records it; publishing the records lists it after the images as BuildKit does; it
 * survives an amend (kept byte for byte), a replace (the old one goes with its image) and a copy to another
 * registry; with provenance off there is none. skopeo and {@code docker manifest inspect} read the list.
 */
class ProvenanceFlowTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BUILD_URL = "https://ci.example/job/app/42/";
    private static final ProvenanceOptions JENKINS_MIN =
            new ProvenanceOptions(ProvenanceMode.MIN, BUILD_URL, BUILD_URL + "#42", "amd64 && docker");
    private static final Platform AMD64 = Platform.parse("linux/amd64");
    private static final Platform ARM64 = Platform.parse("linux/arm64");

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry =
            RegistryExtension.plain().requiring(Component.BUILDAH, Component.BUSYBOX);

    @RegisterExtension
    static final RegistryExtension<RegistryServer> mirror = RegistryExtension.plain();

    @TempDir
    static Path storage;

    @TempDir
    Path dir;

    static RegistryClient client;
    static BaseImages.Base base;
    static BuildahBuilder buildah;

    private String ns;
    private final BuildFixtures.CapturingListener log = new BuildFixtures.CapturingListener();

    @BeforeAll
    static void pushBaseAndNewBuilder() {
        base = BaseImages.push(registry.get());
        client = new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(registry.get().hostPort())
                .insecureRegistry(mirror.get().hostPort())
                .build());
        buildah = BuildahBuilder.builder()
                .root(storage.resolve("root"))
                .runRoot(storage.resolve("run"))
                .insecureRegistry(registry.get().hostPort())
                .registryClient(client)
                .build();
    }

    @BeforeEach
    void namespace() {
        ns = "prov" + UUID.randomUUID().toString().substring(0, 8);
    }

    private ImageReference repo(String name) {
        return ImageReference.parse(registry.get().hostPort() + "/" + ns + "/" + name);
    }

    /** A context FROM scratch (no RUN: builds for any platform without qemu), its content made unique by marker. */
    private Path scratchContext(String name, String marker) throws Exception {
        Path ctx = BuildFixtures.context(dir.resolve(name), "FROM scratch\nCOPY hello.txt /hello.txt\n");
        Files.writeString(ctx.resolve("hello.txt"), marker + "\n");
        return ctx;
    }

    private BuildRequest.Builder scratch(ImageReference image, Platform platform, String marker) throws Exception {
        return BuildRequest.builder()
                .context(scratchContext(platform.dockerLibraryArch() + "-" + marker, marker))
                .platform(platform)
                .allowEmulation(true)
                .image(image)
                .tag("1.0")
                .provenance(JENKINS_MIN);
    }

    private ArchImageRecord build(BuildRequest request) {
        return buildah.build(request, log);
    }

    private RecordsPublished publish(List<ArchImageRecord> records, PublishRequest.Builder list) {
        return new PublishFromRecords(client, log).publishRecords(records, list);
    }

    private ImageIndex index(ImageReference ref) {
        return (ImageIndex) client.fetchManifest(ref).parsed();
    }

    /** The statement stored as the attestation's one layer. */
    private byte[] statementOf(ImageReference repository, Digest attestation) {
        ImageManifest m = (ImageManifest)
                client.fetchManifest(repository.withDigest(attestation)).parsed();
        assertThat(m.layers()).hasSize(1);
        assertThat(m.layers().get(0).mediaType()).isEqualTo(MediaType.IN_TOTO);
        return client.fetchBlob(repository, m.layers().get(0).digest(), 1 << 20);
    }

    private static List<Descriptor> attestations(ImageIndex index) {
        return index.manifests().stream().filter(Descriptor::isAttestation).toList();
    }

    private static List<Descriptor> images(ImageIndex index) {
        return index.manifests().stream().filter(d -> !d.isAttestation()).toList();
    }

    /** Each entry of an index's raw JSON, as the registry holds it, by digest. */
    private static JsonNode rawEntry(RawManifest list, Digest digest) throws Exception {
        for (JsonNode entry : JSON.readTree(list.bytes()).path("manifests")) {
            if (entry.path("digest").asText().equals(digest.toString())) {
                return entry;
            }
        }
        throw new AssertionError("no entry " + digest + " in " + new String(list.bytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aBuildAttachesItsProvenanceAndThePublishedListCarriesIt() throws Exception {
        ImageReference image = repo("app");
        ArchImageRecord amd = build(BuildRequest.builder()
                .context(BuildFixtures.offlineExample())
                .platform(AMD64)
                .buildArg("BASE", base.reference())
                .image(image)
                .tag("1.0")
                .sourceUrl("https://github.com/example/app.git")
                .sourceRevision("0123456789abcdef0123456789abcdef01234567")
                .agentName("amd64-agent-1")
                .provenance(JENKINS_MIN)
                .build());

        // the record names the attestation manifest, which is in the image's repository
        assertThat(amd.provenance()).isNotNull();
        assertThat(amd.provenance().mode()).isEqualTo("min");
        assertThat(amd.provenance().mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
        Digest att = amd.provenanceDigest().orElseThrow();
        RawManifest stored = client.fetchManifest(image.withDigest(att));
        assertThat(stored.digest()).isEqualTo(att);
        assertThat(stored.bytes().length).isEqualTo(amd.provenance().size());
        assertThat(log.text()).contains("attached provenance (min) " + att);
        // the record keeps it through the records folder
        Path records = dir.resolve("records");
        RecordStore.write(records, amd);
        assertThat(RecordStore.readAll(records)).containsExactly(amd);

        // the statement: its subject is the record's digest; what the build knew, and no build-arg names in min
        byte[] statement = statementOf(image, att);
        ProvenanceStatement.Summary summary = ProvenanceStatement.read(statement);
        assertThat(summary.subjectDigest()).isEqualTo(amd.digest());
        assertThat(summary.subjectName()).isEqualTo(image.canonicalName());
        assertThat(summary.builderId()).isEqualTo(BUILD_URL);
        assertThat(summary.invocationId()).isEqualTo(BUILD_URL + "#42");
        assertThat(summary.platform()).isEqualTo("linux/amd64");
        assertThat(summary.buildArgNames()).isEmpty();
        JsonNode predicate = JSON.readTree(statement).path("predicate");
        JsonNode internal = predicate.at("/buildDefinition/internalParameters");
        assertThat(internal.path("builder").asText()).isEqualTo("buildah");
        assertThat(internal.path("emulated").asBoolean()).isFalse();
        assertThat(internal.path("agent").asText()).isEqualTo("amd64-agent-1");
        assertThat(internal.path("nodeLabel").asText()).isEqualTo("amd64 && docker");
        assertThat(predicate
                        .at("/buildDefinition/externalParameters/source/uri")
                        .asText())
                .isEqualTo("https://github.com/example/app.git");
        List<String> dependencies = new ArrayList<>();
        predicate.at("/buildDefinition/resolvedDependencies").forEach(d -> dependencies.add(d.toString()));
        assertThat(dependencies)
                .as("the source commit and the base image")
                .anyMatch(d -> d.contains("0123456789abcdef0123456789abcdef01234567"))
                .anyMatch(d -> d.contains(BaseImages.REPOSITORY) && d.contains("sha256"));
        assertThat(predicate.at("/runDetails/metadata/startedOn").asText())
                .isEqualTo(amd.startedAt().toString());

        // publish from the record: the image, then its attestation entry (unknown/unknown, pointing at the child)
        publish(List.of(amd), PublishRequest.builder().target(image).tag("1.0"));
        RawManifest list = client.fetchManifest(image.withTag("1.0"));
        ImageIndex index = (ImageIndex) list.parsed();
        assertThat(index.mediaType()).isEqualTo(MediaType.OCI_INDEX);
        assertThat(index.manifests()).hasSize(2);
        assertThat(index.manifests().get(0).digest()).isEqualTo(amd.digest());
        Descriptor entry = index.manifests().get(1);
        assertThat(entry.isAttestation()).isTrue();
        assertThat(entry.digest()).isEqualTo(att);
        assertThat(entry.platform()).isEqualTo(Platform.UNKNOWN);
        assertThat(entry.attestedDigest()).contains(amd.digest());
        assertThat(entry.annotations())
                .containsEntry("vnd.docker.reference.type", "attestation-manifest")
                .containsEntry("vnd.docker.reference.digest", amd.digest().toString());

        // peers read the list
        Components.require(Component.SKOPEO);
        String raw = Exec.run(
                        List.of("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + image.withTag("1.0")),
                        Duration.ofSeconds(60))
                .orThrow()
                .stdout();
        assertThat(raw.getBytes(StandardCharsets.UTF_8)).isEqualTo(list.bytes());
        Components.require(Component.DOCKER_CLI);
        Path dockerConfig = Files.createDirectories(dir.resolve("docker-config"));
        Files.writeString(dockerConfig.resolve("config.json"), "{}");
        JsonNode inspected = JSON.readTree(Exec.run(
                        List.of(
                                "docker",
                                "manifest",
                                "inspect",
                                "--insecure",
                                image.withTag("1.0").toString()),
                        Duration.ofSeconds(60),
                        Map.of("DOCKER_CONFIG", dockerConfig.toString()),
                        null,
                        null)
                .orThrow()
                .stdout());
        assertThat(inspected.path("manifests")).hasSize(2);
        assertThat(inspected.at("/manifests/0/digest").asText())
                .isEqualTo(amd.digest().toString());
        assertThat(inspected.at("/manifests/1/digest").asText()).isEqualTo(att.toString());
        assertThat(inspected.at("/manifests/1/platform/architecture").asText()).isEqualTo("unknown");
    }

    @Test
    void maxNamesTheBuildArgsNeverTheirValuesAndPerArchNamingCarriesItIntoTheTarget() throws Exception {
        ImageReference image = repo("suffixed");
        String visible = "visible-value-" + UUID.randomUUID();
        String secret = "secret-value-" + UUID.randomUUID();
        ArchImageRecord amd = build(scratch(image, AMD64, "max")
                .naming(Naming.REPO_SUFFIX)
                .buildArg("APP_VERSION", visible)
                .secretBuildArg("NPM_TOKEN", secret)
                .provenance(new ProvenanceOptions(ProvenanceMode.MAX, BUILD_URL, "42", null))
                .build());
        assertThat(amd.provenance().mode()).isEqualTo("max");
        ImageReference perArch = amd.pushed().get(0).withoutTagOrDigest();
        assertThat(perArch.repository()).endsWith("suffixed-amd64");
        byte[] statement = statementOf(perArch, amd.provenanceDigest().orElseThrow());
        assertThat(ProvenanceStatement.read(statement).buildArgNames()).containsExactly("APP_VERSION", "NPM_TOKEN");
        assertThat(ProvenanceStatement.read(statement).subjectDigest()).isEqualTo(amd.digest());
        String text = new String(statement, StandardCharsets.UTF_8);
        assertThat(text).doesNotContain(visible).doesNotContain(secret);
        assertThat(log.text()).doesNotContain(secret);
        assertThat(new String(amd.toJson(), StandardCharsets.UTF_8))
                .doesNotContain(visible)
                .doesNotContain(secret);
        JsonNode dependencies = JSON.readTree(statement).at("/predicate/buildDefinition/resolvedDependencies");
        assertThat(dependencies.toString()).as("max lists the Dockerfile").contains("\"name\":\"Dockerfile\"");

        // the list in the target repository: the attestation was brought there with its image
        publish(List.of(amd), PublishRequest.builder().target(image).tag("1.0"));
        ImageIndex index = index(image.withTag("1.0"));
        assertThat(attestations(index))
                .extracting(Descriptor::digest)
                .containsExactly(amd.provenanceDigest().get());
        assertThat(client.fetchManifest(image.withDigest(amd.provenanceDigest().get()))
                        .digest())
                .isEqualTo(amd.provenanceDigest().get());
    }

    @Test
    void theAttestationSurvivesAmendReplaceAndCopy() throws Exception {
        ImageReference image = repo("kept");
        ArchImageRecord amd = build(scratch(image, AMD64, "first").build());
        publish(List.of(amd), PublishRequest.builder().target(image).tag("1.0"));
        RawManifest first = client.fetchManifest(image.withTag("1.0"));
        Digest amdAttestation = amd.provenanceDigest().orElseThrow();

        // amend: adding arm64 keeps the amd64 entry and its attestation entry byte for byte
        ArchImageRecord arm = build(scratch(image, ARM64, "arm").build());
        assertThat(arm.emulated()).isTrue();
        publish(List.of(arm), PublishRequest.builder().target(image).tag("1.1").from(image.withTag("1.0")));
        RawManifest amended = client.fetchManifest(image.withTag("1.1"));
        ImageIndex amendedIndex = (ImageIndex) amended.parsed();
        assertThat(images(amendedIndex)).extracting(Descriptor::digest).containsExactly(amd.digest(), arm.digest());
        assertThat(attestations(amendedIndex))
                .extracting(Descriptor::digest)
                .containsExactlyInAnyOrder(
                        amdAttestation, arm.provenanceDigest().orElseThrow());
        assertThat(rawEntry(amended, amdAttestation)).isEqualTo(rawEntry(first, amdAttestation));
        assertThat(rawEntry(amended, amd.digest())).isEqualTo(rawEntry(first, amd.digest()));
        ProvenanceStatement.Summary armStatement = ProvenanceStatement.read(
                statementOf(image, arm.provenanceDigest().get()));
        assertThat(armStatement.subjectDigest()).isEqualTo(arm.digest());
        assertThat(armStatement.platform()).isEqualTo("linux/arm64");

        // replace: a new amd64 build; its attestation replaces the old one, which goes with the old image
        ArchImageRecord amd2 = build(scratch(image, AMD64, "second").build());
        assertThat(amd2.digest()).isNotEqualTo(amd.digest());
        publish(
                List.of(amd2),
                PublishRequest.builder()
                        .target(image)
                        .tag("1.2")
                        .from(image.withTag("1.1"))
                        .replace(true));
        ImageIndex replaced = index(image.withTag("1.2"));
        assertThat(images(replaced))
                .extracting(Descriptor::digest)
                .containsExactlyInAnyOrder(amd2.digest(), arm.digest());
        assertThat(attestations(replaced))
                .extracting(Descriptor::digest)
                .containsExactlyInAnyOrder(
                        amd2.provenanceDigest().orElseThrow(),
                        arm.provenanceDigest().get())
                .doesNotContain(amdAttestation);
        assertThat(attestations(replaced))
                .allSatisfy(a -> assertThat(images(replaced).stream().map(Descriptor::digest))
                        .contains(a.attestedDigest().orElseThrow()));

        // copy: the attestation manifests arrive at the other registry with the same digests
        ImageReference destination = ImageReference.parse(mirror.get().hostPort() + "/" + ns + "/kept");
        CopyResult copied = new Copier(client, log)
                .copy(CopyRequest.of(image.withTag("1.2"), List.of(CopyTarget.of(destination, List.of("1.2")))));
        assertThat(copied.success()).as(log.text()).isTrue();
        RawManifest atMirror = client.fetchManifest(destination.withTag("1.2"));
        assertThat(atMirror.bytes())
                .isEqualTo(client.fetchManifest(image.withTag("1.2")).bytes());
        for (Descriptor a : attestations(replaced)) {
            assertThat(client.fetchManifest(destination.withDigest(a.digest())).digest())
                    .isEqualTo(a.digest());
            assertThat(ProvenanceStatement.read(statementOf(destination, a.digest()))
                            .subjectDigest())
                    .isEqualTo(a.attestedDigest().orElseThrow());
        }
    }

    @Test
    void offAttachesNothingAndTheListHasNoAttestationEntry() throws Exception {
        ImageReference image = repo("off");
        int mark = registry.get().mark();
        ArchImageRecord amd = build(
                scratch(image, AMD64, "off").provenance(ProvenanceOptions.off()).build());
        assertThat(amd.provenance()).isNull();
        assertThat(amd.provenanceDigest()).isEmpty();
        assertThat(JSON.readTree(amd.toJson()).has("provenance")).isFalse();
        assertThat(log.text()).doesNotContain("provenance");
        // one manifest PUT: the image; no attestation manifest was pushed
        assertThat(registry.get().requestsSince(mark))
                .filteredOn(r -> r.method().equals("PUT") && r.path().contains("/manifests/"))
                .hasSize(1);
        publish(List.of(amd), PublishRequest.builder().target(image).tag("1.0"));
        ImageIndex index = index(image.withTag("1.0"));
        assertThat(index.manifests()).extracting(Descriptor::digest).containsExactly(amd.digest());
        assertThat(attestations(index)).isEmpty();
    }
}
