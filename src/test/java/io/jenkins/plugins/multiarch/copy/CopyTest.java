package io.jenkins.plugins.multiarch.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.FaultProxy;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import io.jenkins.plugins.multiarch.testing.TestImages.Format;
import io.jenkins.plugins.multiarch.testing.TestImages.Pushed;
import io.jenkins.plugins.multiarch.testing.TokenIssuer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Copies between real registries ({@code docker-registry} processes on different ports): plain to TLS with basic
 * auth, to token auth, through faults, to a registry that refuses the OCI index. Every copy is judged by reading
 * both ends with an independent raw-HTTP reader ({@link TestImages}): the same bytes under the same digests.
 */
class CopyTest {

    static final String USER = "promoter";
    static final String PASSWORD = "Pr0mote-pw-91";
    static final String TOKEN_USER = "tokenuser";
    static final String TOKEN_PASSWORD = "T0ken-pw-55";

    @RegisterExtension
    static final RegistryExtension<RegistryServer> source = RegistryExtension.plain();

    @RegisterExtension
    static final RegistryExtension<RegistryServer> tlsBasic = RegistryExtension.tlsBasicAuth(USER, PASSWORD);

    @RegisterExtension
    static final RegistryExtension<RegistryServer> token =
            RegistryExtension.tokenAuth(() -> new TokenIssuer(TOKEN_USER, TOKEN_PASSWORD));

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final LogListener listener = (level, message) -> log.add(level + " " + message);

    /** One client for every registry: credentials per host, the TLS registry's CA, the plain ones insecure. */
    private RegistryClient client(String... insecure) {
        RegistrySettings.Builder b = RegistrySettings.builder()
                .listener(listener)
                .retries(5, Duration.ofSeconds(60))
                .retryBackoff(Duration.ofMillis(20))
                .caFile(tlsBasic.get().caFile())
                .credentials(CredentialsSource.chain(
                        CredentialsSource.of(tlsBasic.get().hostPort(), RegistryCredentials.of(USER, PASSWORD)),
                        CredentialsSource.of(
                                token.get().hostPort(), RegistryCredentials.of(TOKEN_USER, TOKEN_PASSWORD))))
                .insecureRegistry(source.get().hostPort())
                .insecureRegistry(token.get().hostPort());
        for (String host : insecure) {
            b.insecureRegistry(host);
        }
        return new RegistryClient(b.build());
    }

    /** A two-platform OCI index with an attestation for amd64: what buildx pushes. */
    static Pushed pushList(TestImages images, String repo, String tag) {
        Pushed amd = images.pushImage(repo, null, "linux/amd64", Format.OCI);
        Pushed arm = images.pushImage(repo, null, "linux/arm64/v8", Format.OCI);
        TestImages.IndexEntry att = images.attestationFor(repo, amd);
        return images.pushIndex(repo, tag, Format.OCI, List.of(TestImages.entry(amd), TestImages.entry(arm), att));
    }

    private ImageReference at(RegistryServer registry, String repoAndTag) {
        return ImageReference.parse(registry.hostPort() + "/" + repoAndTag);
    }

    /** The raw-HTTP reader's view: the same bytes, content type and digest at both ends, children included. */
    static void assertSameAtBothEnds(TestImages from, String fromRepo, TestImages to, String toRepo, String ref) {
        TestImages.Fetched src = from.getManifest(fromRepo, ref);
        TestImages.Fetched dst = to.getManifest(toRepo, ref);
        assertThat(dst.status()).as("destination " + toRepo + ":" + ref).isEqualTo(200);
        assertThat(dst.body()).isEqualTo(src.body());
        assertThat(dst.mediaType()).isEqualTo(src.mediaType());
        assertThat(TestImages.sha256(dst.body())).isEqualTo(TestImages.sha256(src.body()));
        if (dst.digestHeader() != null) {
            assertThat(dst.digestHeader()).isEqualTo(TestImages.sha256(src.body()));
        }
    }

    @Test
    void copiesAListWithAttestationsFromPlainToTlsBasicAuthAndIsIdempotent() {
        Pushed list = pushList(source.images(), "promote/app", "1.0");
        RegistryClient client = client();
        CopyResult result = new Copier(client, listener)
                .copy(CopyRequest.of(
                        at(source.get(), "promote/app:1.0"),
                        List.of(CopyTarget.of(at(tlsBasic.get(), "prod/app"), List.of("1.0", "stable")))));

        assertThat(result.success()).as(String.join("\n", log)).isTrue();
        assertThat(result.exitCode()).isZero();
        assertThat(result.digest()).hasToString(list.digest());
        assertThat(result.manifests()).isEqualTo(4); // the index, two images, one attestation
        // two configs, two layers, the attestation's config and statement
        assertThat(result.blobs()).isEqualTo(6);
        DestinationResult prod = result.destinations().get(0);
        assertThat(prod.outcome()).isEqualTo(DestinationResult.Outcome.COPIED);
        assertThat(prod.tagsWritten()).containsExactly("1.0", "stable");
        assertThat(prod.blobsCopied()).isEqualTo(6);
        assertThat(prod.bytesCopied()).isEqualTo(result.blobBytes()).isPositive();
        assertThat(prod.manifestsPut()).isEqualTo(5); // three children by digest, the list under two tags

        TestImages prodImages = tlsBasic.images();
        for (String ref : List.of("1.0", list.digest())) {
            assertSameAtBothEnds(source.images(), "promote/app", prodImages, "prod/app", ref);
        }
        assertThat(prodImages.getManifest("prod/app", "stable").body()).isEqualTo(list.manifest());
        for (String child : childDigests(list)) {
            assertSameAtBothEnds(source.images(), "promote/app", prodImages, "prod/app", child);
        }

        // A re-run: every tag already holds the digest, so nothing is read or written but the tags' HEADs.
        int before = client.requestCount();
        int writesBefore = writes(tlsBasic.get());
        CopyResult again = new Copier(client, listener)
                .copy(CopyRequest.of(
                        at(source.get(), "promote/app:1.0"),
                        List.of(CopyTarget.of(at(tlsBasic.get(), "prod/app"), List.of("1.0", "stable")))));
        assertThat(again.destinations().get(0).outcome()).isEqualTo(DestinationResult.Outcome.UNCHANGED);
        assertThat(again.destinations().get(0).tagsUnchanged()).containsExactly("1.0", "stable");
        assertThat(writes(tlsBasic.get())).isEqualTo(writesBefore);
        // the source's list and its three children, then two tag HEADs
        assertThat(client.requestCount() - before).isLessThanOrEqualTo(8);
        assertThat(String.join("\n", log)).doesNotContain(PASSWORD, TOKEN_PASSWORD);
    }

    @Test
    void destinationTagDefaultsToTheSourceTagAndASingleImageCopies() {
        Pushed image = source.images().pushImage("promote/single", "2.1", "linux/amd64", Format.DOCKER);
        CopyResult result = new Copier(client(), listener)
                .copy(CopyRequest.of(
                        at(source.get(), "promote/single:2.1"),
                        List.of(CopyTarget.parse(
                                "destination", tlsBasic.get().hostPort() + "/prod/single", List.of()))));
        assertThat(result.success()).as(String.join("\n", log)).isTrue();
        assertThat(result.manifests()).isEqualTo(1);
        assertThat(result.destinations().get(0).tagsWritten()).containsExactly("2.1");
        assertSameAtBothEnds(source.images(), "promote/single", tlsBasic.images(), "prod/single", "2.1");
        assertThat(image.digest()).isEqualTo(result.digest().toString());
    }

    @Test
    void blobsTheDestinationHasAreNotSentAgain() {
        Pushed list = pushList(source.images(), "promote/skip", "1");
        String amdDigest = childDigests(list).get(0);
        RegistryClient client = client();
        // First only the amd64 image (by digest): its config and layer are then at the destination.
        CopyResult first = new Copier(client, listener)
                .copy(CopyRequest.of(
                        at(source.get(), "promote/skip@" + amdDigest),
                        List.of(CopyTarget.of(at(tlsBasic.get(), "prod/skip"), List.of()))));
        assertThat(first.success()).as(String.join("\n", log)).isTrue();
        assertThat(first.destinations().get(0).blobsCopied()).isEqualTo(2);

        int mark = tlsBasic.get().mark();
        CopyResult result = new Copier(client, listener)
                .copy(CopyRequest.of(
                        at(source.get(), "promote/skip:1"),
                        List.of(CopyTarget.of(at(tlsBasic.get(), "prod/skip"), List.of()))));
        DestinationResult d = result.destinations().get(0);
        assertThat(result.success()).as(String.join("\n", log)).isTrue();
        assertThat(d.blobsSkipped()).isEqualTo(2);
        assertThat(d.blobsCopied()).isEqualTo(4);
        // the registry's own access log: four uploads opened, not six
        List<RegistryServer.Request> requests = tlsBasic.get().requestsSince(mark);
        assertThat(requests)
                .filteredOn(r -> r.method().equals("POST") && r.path().contains("/blobs/uploads/"))
                .hasSize(4);
        assertThat(requests)
                .filteredOn(r -> r.method().equals("PUT") && r.path().contains("/blobs/uploads/"))
                .hasSize(4);
        assertSameAtBothEnds(source.images(), "promote/skip", tlsBasic.images(), "prod/skip", "1");
    }

    @Test
    void tokenAuthDestinationGetsItsOwnScopedTokenAndTheSourceNothing() {
        Pushed list = pushList(source.images(), "promote/tok", "3.0");
        token.issuer().clearRequests();
        CopyResult result = new Copier(client(), listener)
                .copy(CopyRequest.of(
                        at(source.get(), "promote/tok:3.0"),
                        List.of(CopyTarget.of(at(token.get(), "team/tok"), List.of()))));
        assertThat(result.success()).as(String.join("\n", log)).isTrue();
        assertSameAtBothEnds(source.images(), "promote/tok", token.images(), "team/tok", "3.0");
        assertThat(token.issuer().requests()).isNotEmpty().allSatisfy(r -> {
            assertThat(r.user()).isEqualTo(TOKEN_USER);
            // only the destination's repository: the source lives on another registry and is never named here
            assertThat(r.scopes()).allMatch(s -> s.startsWith("repository:team/tok:"));
        });
        assertThat(token.issuer().requests()).anyMatch(r -> r.scopes().contains("repository:team/tok:pull,push"));
        assertThat(list.digest()).isEqualTo(result.digest().toString());
    }

    @Test
    void faultsInFrontOfTheDestinationAreRetriedAndTheDigestsStayIdentical() {
        Pushed list = pushList(source.images(), "promote/faults", "1.0");
        try (FaultProxy proxy = FaultProxy.inFrontOf(token.get())) {
            // a blob upload reset after its body was sent, another answered 503, a manifest PUT 503, a HEAD 503
            FaultProxy.Rule reset = proxy.on("PUT", "/blobs/uploads/").reset();
            FaultProxy.Rule unavailable =
                    proxy.on("PUT", "/blobs/uploads/").after(1).status(503);
            FaultProxy.Rule manifest = proxy.on("PUT", "/manifests/").status(503);
            FaultProxy.Rule head = proxy.on("HEAD", "/blobs/").status(503);
            RegistryClient client = new RegistryClient(RegistrySettings.builder()
                    .listener(listener)
                    .retries(5, Duration.ofSeconds(60))
                    .retryBackoff(Duration.ofMillis(20))
                    .insecureRegistry(source.get().hostPort())
                    .insecureRegistry(proxy.hostPort())
                    .credentials(
                            CredentialsSource.of(proxy.hostPort(), RegistryCredentials.of(TOKEN_USER, TOKEN_PASSWORD)))
                    .build());
            CopyResult result = new Copier(client, listener)
                    .copy(CopyRequest.of(
                                    at(source.get(), "promote/faults:1.0"),
                                    List.of(CopyTarget.of(
                                            ImageReference.parse(proxy.hostPort() + "/team/faults"), List.of())))
                            .withParallelBlobs(1));
            assertThat(result.success()).as(String.join("\n", log)).isTrue();
            assertThat(reset.fired()).isEqualTo(1);
            assertThat(unavailable.fired()).isEqualTo(1);
            assertThat(manifest.fired()).isEqualTo(1);
            assertThat(head.fired()).isEqualTo(1);
            assertThat(result.destinations().get(0).blobsCopied()).isEqualTo(6);
            assertSameAtBothEnds(source.images(), "promote/faults", token.images(), "team/faults", "1.0");
            for (String child : childDigests(list)) {
                assertSameAtBothEnds(source.images(), "promote/faults", token.images(), "team/faults", child);
            }
        }
    }

    @Test
    void aDestinationThatRefusesTheOciIndexGetsNoTagAndTheOthersGoOn() {
        Pushed list = pushList(source.images(), "promote/quay", "1.0");
        try (FaultProxy quay = FaultProxy.inFrontOf(token.get())) {
            // the index goes under the tag; children go by digest: a PUT to the tag is the index's
            FaultProxy.Rule refused =
                    quay.on("PUT", "/team/quay/manifests/1\\.0$").always().statusWithError(415, "MANIFEST_INVALID");
            RegistryClient client = new RegistryClient(RegistrySettings.builder()
                    .listener(listener)
                    .retries(3, Duration.ofSeconds(30))
                    .retryBackoff(Duration.ofMillis(20))
                    .caFile(tlsBasic.get().caFile())
                    .insecureRegistry(source.get().hostPort())
                    .insecureRegistry(quay.hostPort())
                    .credentials(CredentialsSource.chain(
                            CredentialsSource.of(quay.hostPort(), RegistryCredentials.of(TOKEN_USER, TOKEN_PASSWORD)),
                            CredentialsSource.of(tlsBasic.get().hostPort(), RegistryCredentials.of(USER, PASSWORD))))
                    .build());
            CopyResult result = new Copier(client, listener)
                    .copy(CopyRequest.of(
                            at(source.get(), "promote/quay:1.0"),
                            List.of(
                                    CopyTarget.of(ImageReference.parse(quay.hostPort() + "/team/quay"), List.of()),
                                    // same registry as the source: blobs are mounted
                                    CopyTarget.of(at(source.get(), "mirror/quay"), List.of("1.0", "mirrored")),
                                    CopyTarget.of(at(tlsBasic.get(), "prod/quay"), List.of()))));

            assertThat(result.success()).isFalse();
            assertThat(result.exitCode()).isEqualTo(4);
            DestinationResult failed = result.destinations().get(0);
            assertThat(failed.outcome()).isEqualTo(DestinationResult.Outcome.FAILED);
            assertThat(failed.exitCode()).isEqualTo(4);
            assertThat(failed.error())
                    .contains(quay.hostPort() + " refuses the OCI image index")
                    .contains("keeps every digest identical")
                    .contains("push-manifest-list --format docker")
                    .contains(list.digest());
            assertThat(failed.tagsWritten()).isEmpty();
            assertThat(refused.fired()).isEqualTo(1); // not retried: a refusal is final
            // no tag there, so nothing points at anything (the children arrived by digest, harmless)
            assertThat(token.images().getManifest("team/quay", "1.0").status()).isEqualTo(404);

            DestinationResult mirror = result.destinations().get(1);
            assertThat(mirror.outcome()).isEqualTo(DestinationResult.Outcome.COPIED);
            assertThat(mirror.blobsMounted()).isEqualTo(6);
            assertThat(mirror.blobsCopied()).isZero();
            assertThat(mirror.tagsWritten()).containsExactly("1.0", "mirrored");
            assertSameAtBothEnds(source.images(), "promote/quay", source.images(), "mirror/quay", "1.0");
            assertThat(source.images().getManifest("mirror/quay", "mirrored").body())
                    .isEqualTo(list.manifest());
            assertThat(result.destinations().get(2).outcome()).isEqualTo(DestinationResult.Outcome.COPIED);
            assertSameAtBothEnds(source.images(), "promote/quay", tlsBasic.images(), "prod/quay", "1.0");
            assertThat(CopyReport.text(result))
                    .contains("failed: " + quay.hostPort() + "/team/quay")
                    .contains("2 of 3 destination(s) hold " + list.digest());
            assertThat(CopyReport.json(result)).contains("\"success\" : false").contains("\"outcome\" : \"failed\"");
        }
    }

    @Test
    void wrongDestinationCredentialsFailThatDestinationOnlyWithExitFour() {
        pushList(source.images(), "promote/auth", "1");
        RegistryClient client = new RegistryClient(RegistrySettings.builder()
                .listener(listener)
                .retries(2, Duration.ofSeconds(20))
                .retryBackoff(Duration.ofMillis(20))
                .caFile(tlsBasic.get().caFile())
                .insecureRegistry(source.get().hostPort())
                .insecureRegistry(token.get().hostPort())
                .credentials(CredentialsSource.chain(
                        CredentialsSource.of(tlsBasic.get().hostPort(), RegistryCredentials.of(USER, "wrong-pw-1")),
                        CredentialsSource.of(
                                token.get().hostPort(), RegistryCredentials.of(TOKEN_USER, TOKEN_PASSWORD))))
                .build());
        CopyResult result = new Copier(client, listener)
                .copy(CopyRequest.of(
                        at(source.get(), "promote/auth:1"),
                        List.of(
                                CopyTarget.of(at(tlsBasic.get(), "prod/auth"), List.of()),
                                CopyTarget.of(at(token.get(), "team/auth"), List.of()))));
        assertThat(result.destinations().get(0).outcome()).isEqualTo(DestinationResult.Outcome.FAILED);
        assertThat(result.destinations().get(0).error())
                .contains("HTTP 401")
                .contains(tlsBasic.get().hostPort())
                .doesNotContain("wrong-pw-1");
        assertThat(result.destinations().get(1).outcome()).isEqualTo(DestinationResult.Outcome.COPIED);
        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(String.join("\n", log)).doesNotContain("wrong-pw-1", TOKEN_PASSWORD);
    }

    @Test
    void badRequestsAreRefusedBeforeAnythingIsSent() {
        ImageReference src = at(source.get(), "promote/bad:1");
        assertThatThrownBy(() -> CopyRequest.of(src, List.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("at least one destination");
        assertThatThrownBy(() ->
                        CopyRequest.of(src, List.of(CopyTarget.of(at(source.get(), "promote/bad"), List.of()))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("the source's own repository");
        assertThatThrownBy(() -> CopyTarget.parse(
                        "destination", tlsBasic.get().hostPort() + "/x@sha256:" + "a".repeat(64), List.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("names a digest");
        assertThatThrownBy(() -> CopyRequest.of(src, List.of(CopyTarget.of(at(tlsBasic.get(), "x"), List.of())))
                        .withParallelBlobs(0))
                .isInstanceOf(InvalidInputException.class);
    }

    /** A missing source is the user's reference, not a registry outage: the fetch's 404 says so. */
    @Test
    void aMissingSourceFailsBeforeAnyDestinationIsTouched() {
        int mark = tlsBasic.get().mark();
        assertThatThrownBy(() -> new Copier(client(), listener)
                        .copy(CopyRequest.of(
                                at(source.get(), "promote/none:1"),
                                List.of(CopyTarget.of(at(tlsBasic.get(), "prod/none"), List.of())))))
                .isInstanceOf(io.jenkins.plugins.multiarch.MultiarchException.class)
                .hasMessageContaining("promote/none:1");
        assertThat(tlsBasic.get().requestsSince(mark)).isEmpty();
    }

    static List<String> childDigests(Pushed list) {
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"digest\"\\s*:\\s*\"(sha256:[0-9a-f]{64})\"")
                .matcher(new String(list.manifest(), java.nio.charset.StandardCharsets.UTF_8));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static int writes(RegistryServer registry) {
        return (int) registry.accessLog().stream()
                .filter(r -> r.method().equals("PUT") || r.method().equals("POST"))
                .count();
    }

    static Digest digest(String s) {
        return Digest.parse(s);
    }
}
