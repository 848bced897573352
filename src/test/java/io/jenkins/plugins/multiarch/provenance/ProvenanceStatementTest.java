package io.jenkins.plugins.multiarch.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The statement's bytes: what min and max hold, what they never hold, and that the same facts give the same bytes. */
class ProvenanceStatementTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ImageReference IMAGE = ImageReference.parse("registry.example:5000/team/app:1.0");
    private static final Digest CHILD =
            Digest.parse("sha256:23678f31b3b3586c4fb318aecfe64a96a1f0916ba8faf9b2be2abee63fa9e827");

    private static String text(ProvenanceStatement s) {
        return new String(s.bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void minHasNoBuildArgNamesMaxHasThemAndNeverAValue() throws Exception {
        BuildFacts facts = ProvenanceFacts.arm64().build();
        ProvenanceStatement min = ProvenanceStatement.of(IMAGE, CHILD, facts, ProvenanceMode.MIN);
        ProvenanceStatement max = ProvenanceStatement.of(IMAGE, CHILD, facts, ProvenanceMode.MAX);

        for (String name : ProvenanceFacts.BUILD_ARGS.keySet()) {
            assertThat(text(min)).doesNotContain(name);
            assertThat(text(max)).contains("\"" + name + "\"");
        }
        for (String value : ProvenanceFacts.BUILD_ARGS.values()) {
            assertThat(text(min)).doesNotContain(value);
            assertThat(text(max)).doesNotContain(value);
        }
        assertThat(ProvenanceStatement.read(min.bytes()).buildArgNames()).isEmpty();
        assertThat(ProvenanceStatement.read(max.bytes()).buildArgNames()).containsExactly("APP_VERSION", "NPM_TOKEN");

        // max also lists the Dockerfile among the resolved dependencies; both list the source and the base
        JsonNode minDeps = JSON.readTree(min.bytes()).at("/predicate/buildDefinition/resolvedDependencies");
        JsonNode maxDeps = JSON.readTree(max.bytes()).at("/predicate/buildDefinition/resolvedDependencies");
        assertThat(minDeps).hasSize(2);
        assertThat(maxDeps).hasSize(3);
        assertThat(maxDeps.get(2).path("name").asText()).isEqualTo("Dockerfile");
        assertThat(maxDeps.get(2).at("/digest/sha256").asText())
                .isEqualTo(Digest.sha256(ProvenanceFacts.DOCKERFILE.getBytes(StandardCharsets.UTF_8))
                        .hex());
    }

    @Test
    void theSameFactsGiveTheSameBytesAndAnotherFactOtherBytes() {
        ProvenanceStatement a =
                ProvenanceStatement.of(IMAGE, CHILD, ProvenanceFacts.arm64().build(), ProvenanceMode.MAX);
        ProvenanceStatement b =
                ProvenanceStatement.of(IMAGE, CHILD, ProvenanceFacts.arm64().build(), ProvenanceMode.MAX);
        assertThat(b.bytes()).isEqualTo(a.bytes());
        assertThat(b.digest()).isEqualTo(a.digest());
        // build-arg names given in another order are the same facts
        BuildFacts reordered = ProvenanceFacts.arm64()
                .buildArgNames(List.of("NPM_TOKEN", "APP_VERSION", "NPM_TOKEN"))
                .build();
        assertThat(ProvenanceStatement.of(IMAGE, CHILD, reordered, ProvenanceMode.MAX)
                        .bytes())
                .isEqualTo(a.bytes());
        // one other fact, other bytes
        BuildFacts later = ProvenanceFacts.arm64()
                .times(Instant.parse("2026-12-01T12:00:00Z"), Instant.parse("2026-12-01T12:01:31Z"))
                .build();
        assertThat(ProvenanceStatement.of(IMAGE, CHILD, later, ProvenanceMode.MAX)
                        .digest())
                .isNotEqualTo(a.digest());
    }

    @Test
    void theStatementIsAnInTotoV1StatementWithAnSlsaV1PredicateInAFixedFieldOrder() throws Exception {
        ProvenanceStatement s =
                ProvenanceStatement.of(IMAGE, CHILD, ProvenanceFacts.arm64().build(), ProvenanceMode.MIN);
        JsonNode root = JSON.readTree(s.bytes());
        assertThat(fieldNames(root)).containsExactly("_type", "subject", "predicateType", "predicate");
        assertThat(root.path("_type").asText()).isEqualTo("https://in-toto.io/Statement/v1");
        assertThat(root.path("predicateType").asText()).isEqualTo("https://slsa.dev/provenance/v1");
        assertThat(root.at("/subject/0/name").asText()).isEqualTo("registry.example:5000/team/app");
        assertThat(root.at("/subject/0/digest/sha256").asText()).isEqualTo(CHILD.hex());

        JsonNode predicate = root.path("predicate");
        assertThat(fieldNames(predicate)).containsExactly("buildDefinition", "runDetails");
        JsonNode def = predicate.path("buildDefinition");
        assertThat(fieldNames(def))
                .containsExactly("buildType", "externalParameters", "internalParameters", "resolvedDependencies");
        assertThat(def.path("buildType").asText()).isEqualTo(ProvenanceStatement.BUILD_TYPE);
        assertThat(def.at("/externalParameters/source/uri").asText()).isEqualTo("https://github.com/example/app.git");
        assertThat(def.at("/externalParameters/dockerfile").asText()).isEqualTo("Dockerfile");
        assertThat(def.at("/externalParameters/platform").asText()).isEqualTo("linux/arm64");
        assertThat(def.at("/internalParameters/builder").asText()).isEqualTo("docker");
        assertThat(def.at("/internalParameters/emulated").asBoolean(true)).isFalse();
        assertThat(def.at("/internalParameters/agent").asText()).isEqualTo("arm64-agent-1");
        assertThat(def.at("/internalParameters/nodeLabel").asText()).isEqualTo("linux && arm64");
        JsonNode source = def.at("/resolvedDependencies/0");
        assertThat(source.path("uri").asText()).isEqualTo("https://github.com/example/app.git");
        assertThat(source.at("/digest/gitCommit").asText()).isEqualTo("4b220de5058abfd01ff619c9d2ff6b09a049bea0");
        JsonNode base = def.at("/resolvedDependencies/1");
        assertThat(base.path("uri").asText()).isEqualTo("pkg:docker/busybox@1.36?platform=linux%2Farm64");
        assertThat(base.path("name").asText()).isEqualTo("busybox:1.36");
        assertThat(base.at("/digest/sha256").asText())
                .isEqualTo("a9b24b67dc83b3383d22a14941c2b2b2ca6a103d805cac6820fd1355943beaf1");

        JsonNode run = predicate.path("runDetails");
        assertThat(run.at("/builder/id").asText()).isEqualTo("https://ci.example/job/app/42/");
        assertThat(run.at("/builder/version/docker").asText()).isEqualTo("27.5.1");
        assertThat(run.at("/builder/version/multiarch").asText()).isEqualTo("1.0-test");
        assertThat(fieldNames(run.path("metadata"))).containsExactly("invocationId", "startedOn", "finishedOn");
        assertThat(run.at("/metadata/invocationId").asText()).isEqualTo("job/app#42");
        assertThat(run.at("/metadata/startedOn").asText()).isEqualTo("2026-12-01T12:00:00Z");
        assertThat(run.at("/metadata/finishedOn").asText()).isEqualTo("2026-12-01T12:01:30.250Z");
        // no whitespace: the bytes are the compact form
        assertThat(s.bytes()).isEqualTo(JSON.writeValueAsBytes(root));
    }

    @Test
    void aBaseImageOfAnotherRegistryIsAPackageUrlWithItsHostEncoded() {
        assertThat(ProvenanceStatement.basePurl("127.0.0.1:5000/library/busybox:1.36", Platform.parse("linux/arm/v7")))
                .isEqualTo("pkg:docker/127.0.0.1%3A5000/library/busybox@1.36?platform=linux%2Farm%2Fv7");
        assertThat(ProvenanceStatement.basePurl("scratch!", Platform.parse("linux/amd64")))
                .isNull();
    }

    @Test
    void factsRefuseValuesAndCredentialsWithoutEchoingThem() {
        assertThatThrownBy(() -> ProvenanceFacts.arm64()
                        .buildArgNames(List.of("NPM_TOKEN=npm_s3cr3t"))
                        .build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("never NAME=value")
                .message()
                .doesNotContain("npm_s3cr3t");
        assertThatThrownBy(() -> ProvenanceFacts.arm64()
                        .source("https://oauth2:glpat-s3cr3t@gitlab.example/app.git", "abc")
                        .build())
                .isInstanceOf(InvalidInputException.class)
                .message()
                .doesNotContain("glpat-s3cr3t");
        assertThatThrownBy(() -> ProvenanceFacts.arm64()
                        .source("https://gitlab.example/app.git?private_token=s3cr3t", "abc")
                        .build())
                .isInstanceOf(InvalidInputException.class)
                .message()
                .doesNotContain("s3cr3t");
        assertThatThrownBy(() -> ProvenanceFacts.arm64().builderId("job/app/42").build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("absolute URI");
        assertThatThrownBy(() -> ProvenanceFacts.arm64()
                        .times(Instant.parse("2026-12-01T12:00:00Z"), Instant.parse("2026-12-01T11:00:00Z"))
                        .build())
                .isInstanceOf(InvalidInputException.class);
        // a revision that is no git commit stays a parameter and is no gitCommit digest
        BuildFacts svn = ProvenanceFacts.arm64()
                .source("https://svn.example/app", "r1234")
                .build();
        assertThat(svn.gitCommit()).isEmpty();
        assertThat(new String(
                        ProvenanceStatement.of(IMAGE, CHILD, svn, ProvenanceMode.MIN)
                                .bytes(),
                        StandardCharsets.UTF_8))
                .contains("\"revision\":\"r1234\"")
                .doesNotContain("gitCommit");
    }

    @Test
    void offWritesNoStatement() {
        assertThatThrownBy(() -> ProvenanceStatement.of(
                        IMAGE, CHILD, ProvenanceFacts.arm64().build(), ProvenanceMode.OFF))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void readingRefusesWhatIsNotAnSlsaV1Statement() {
        byte[] v01 =
                ("{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"predicateType\":\"https://slsa.dev/provenance/v1\","
                                + "\"subject\":[{\"name\":\"x\",\"digest\":{\"sha256\":\"" + CHILD.hex() + "\"}}]}")
                        .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ProvenanceStatement.read(v01))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("_type");
        byte[] twoSubjects =
                ("{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicateType\":\"https://slsa.dev/provenance/v1\","
                                + "\"subject\":[{\"name\":\"x\",\"digest\":{\"sha256\":\"" + CHILD.hex() + "\"}},"
                                + "{\"name\":\"y\",\"digest\":{\"sha256\":\"" + CHILD.hex() + "\"}}]}")
                        .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ProvenanceStatement.read(twoSubjects))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("exactly one subject");
        assertThat(ProvenanceStatement.read(ProvenanceStatement.of(
                                IMAGE, CHILD, ProvenanceFacts.arm64().build(), ProvenanceMode.MIN)
                        .bytes()))
                .isEqualTo(new ProvenanceStatement.Summary(
                        "registry.example:5000/team/app",
                        CHILD,
                        ProvenanceStatement.BUILD_TYPE,
                        "https://ci.example/job/app/42/",
                        "job/app#42",
                        "linux/arm64",
                        List.of()));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.properties().forEach(e -> names.add(e.getKey()));
        return names;
    }
}
