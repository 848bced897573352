package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.testing.FaultProxy;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client against a real plain-HTTP docker-registry (one process for the class). */
class RegistryClientPlainTest {

    @RegisterExtension
    private static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain();

    private static RegistryClient client(String insecureHost) {
        return new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(insecureHost)
                .retries(3, Duration.ofSeconds(20))
                .retryBackoff(Duration.ofMillis(50))
                .build());
    }

    private static ImageReference ref(String s) {
        return ImageReference.parse(registry.get().ref(s));
    }

    @Test
    void manifestRoundTripByTagAndDigestKeepsExactBytes() {
        TestImages.Pushed amd =
                registry.images().pushImage("plain/app", "amd", "linux/amd64", TestImages.Format.DOCKER);
        RegistryClient client = client(registry.get().hostPort());

        RawManifest byTag = client.fetchManifest(ref("plain/app:amd"));
        assertThat(byTag.bytes()).isEqualTo(amd.manifest());
        assertThat(byTag.mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
        assertThat(byTag.digest()).hasToString(amd.digest());
        RawManifest byDigest = client.fetchManifest(ref("plain/app@" + amd.digest()));
        assertThat(byDigest.bytes()).isEqualTo(amd.manifest());

        // An index with odd but valid formatting: our PUT must send these exact bytes with its media type.
        String indexJson = "{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"" + TestImages.OCI_INDEX + "\",\n"
                + "  \"manifests\": [ {\"mediaType\": \"" + amd.mediaType() + "\", \"digest\": \"" + amd.digest()
                + "\", \"size\": " + amd.size()
                + ", \"platform\": {\"architecture\": \"amd64\", \"os\": \"linux\"}} ]\n}\n";
        RawManifest index = RawManifest.of(indexJson.getBytes(StandardCharsets.UTF_8), MediaType.OCI_INDEX);
        Digest put = client.putManifest(ref("plain/app:list"), index);
        assertThat(put).isEqualTo(Digest.sha256(indexJson.getBytes(StandardCharsets.UTF_8)));
        TestImages.Fetched back = registry.images().getManifest("plain/app", "list");
        assertThat(back.body()).isEqualTo(index.bytes());
        assertThat(back.mediaType()).isEqualTo(TestImages.OCI_INDEX);
        assertThat(back.digestHeader()).isEqualTo(put.toString());

        // By digest too, and the peer view agrees.
        assertThat(client.putManifest(ref("plain/app@" + put), index)).isEqualTo(put);
        assertThat(client.fetchManifest(ref("plain/app@" + put)).mediaType()).isEqualTo(MediaType.OCI_INDEX);
    }

    @Test
    void putRefusesAReferencePinningAnotherDigest() {
        TestImages.Pushed img = registry.images().pushImage("plain/pin", "t", "linux/arm64", TestImages.Format.OCI);
        RawManifest raw = RawManifest.of(img.manifest(), MediaType.OCI_MANIFEST);
        Digest other = Digest.sha256(new byte[] {1});
        assertThatThrownBy(() -> client(registry.get().hostPort()).putManifest(ref("plain/pin@" + other), raw))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(other.toString());
    }

    @Test
    void headManifestDescribesOrIsEmptyAndCountsRequests() {
        TestImages.Pushed img =
                registry.images().pushImage("plain/head", "v1", "linux/arm64/v8", TestImages.Format.OCI);
        RegistryClient client = client(registry.get().hostPort());
        int mark = registry.get().mark();
        int before = client.requestCount();

        Optional<Descriptor> d = client.headManifest(ref("plain/head:v1"));
        assertThat(d).isPresent();
        assertThat(d.get().digest()).hasToString(img.digest());
        assertThat(d.get().size()).isEqualTo(img.size());
        assertThat(d.get().mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
        assertThat(client.headManifest(ref("plain/head:missing"))).isEmpty();
        assertThat(client.headManifest(ref("plain/nothing-here:v1"))).isEmpty();

        List<RegistryServer.Request> seen = registry.get().requestsSince(mark);
        assertThat(seen).extracting(RegistryServer.Request::method).containsOnly("HEAD");
        assertThat(client.requestCount() - before).isEqualTo(3).isEqualTo(seen.size());
    }

    @Test
    void headFallsBackToGetOn405AndOnMissingDigest() {
        TestImages.Pushed img =
                registry.images().pushImage("plain/fallback", "v1", "linux/amd64", TestImages.Format.DOCKER);
        try (FaultProxy proxy = FaultProxy.inFrontOf(registry.get())) {
            proxy.on("HEAD", "/manifests/").status(405);
            RegistryClient client = client(proxy.hostPort());
            Optional<Descriptor> d = client.headManifest(ImageReference.parse(proxy.hostPort() + "/plain/fallback:v1"));
            assertThat(d).get().extracting(Descriptor::digest).hasToString(img.digest());
            assertThat(proxy.requests()).extracting(FaultProxy.Recorded::method).containsExactly("HEAD", "GET");
        }
        try (FrontProxy front = new FrontProxy(registry.get(), false)) {
            front.rewriteResponseHeader("/manifests/", "Docker-Content-Digest", null);
            RegistryClient client = client(front.hostPort());
            Optional<Descriptor> d = client.headManifest(ImageReference.parse(front.hostPort() + "/plain/fallback:v1"));
            assertThat(d).get().extracting(Descriptor::digest).hasToString(img.digest());
            assertThat(front.seen()).extracting(FrontProxy.Seen::method).containsExactly("HEAD", "GET");
        }
    }

    @Test
    void putChecksTheRegistryDigestAndUsesOursWhenAbsent() {
        TestImages.Pushed img =
                registry.images().pushImage("plain/digest", "src", "linux/amd64", TestImages.Format.OCI);
        RawManifest raw = RawManifest.of(img.manifest(), MediaType.OCI_MANIFEST);
        Digest wrong = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));
        try (FrontProxy front = new FrontProxy(registry.get(), false)) {
            front.rewriteResponseHeader("/manifests/", "Docker-Content-Digest", wrong.toString());
            RegistryClient client = client(front.hostPort());
            assertThatThrownBy(() ->
                            client.putManifest(ImageReference.parse(front.hostPort() + "/plain/digest:moved"), raw))
                    .isInstanceOf(VerificationException.class)
                    .hasMessageContaining(wrong.toString())
                    .hasMessageContaining(raw.digest().toString());
        }
        try (FrontProxy front = new FrontProxy(registry.get(), false)) {
            front.rewriteResponseHeader("/manifests/", "Docker-Content-Digest", null);
            RegistryClient client = client(front.hostPort());
            assertThat(client.putManifest(ImageReference.parse(front.hostPort() + "/plain/digest:nodigest"), raw))
                    .isEqualTo(raw.digest());
        }
    }

    @Test
    void fetchByDigestVerifiesContentAndTagFetchChecksTheDigestHeader() {
        TestImages.Pushed a = registry.images().pushImage("plain/verify", "a", "linux/amd64", TestImages.Format.OCI);
        TestImages.Pushed b = registry.images().pushImage("plain/verify", "b", "linux/arm64", TestImages.Format.OCI);
        // A proxy that serves b's manifest whatever is asked: by digest, and by tag against a's Docker-Content-Digest.
        try (FrontProxy front = new FrontProxy(registry.get(), false)) {
            front.replaceResponseBody("/manifests/", b.manifest(), false);
            RegistryClient client = client(front.hostPort());
            assertThatThrownBy(() -> client.fetchManifest(
                            ImageReference.parse(front.hostPort() + "/plain/verify@" + a.digest())))
                    .isInstanceOf(VerificationException.class)
                    .hasMessageContaining("hashes to " + b.digest())
                    .hasMessageContaining("not the requested " + a.digest());
            assertThatThrownBy(() -> client.fetchManifest(ImageReference.parse(front.hostPort() + "/plain/verify:a")))
                    .isInstanceOf(VerificationException.class)
                    .hasMessageContaining(a.digest());
        }
    }

    @Test
    void manifestsOverFourMebibytesAreRefusedWhateverContentLengthSays() {
        TestImages.Pushed small = registry.images().pushImage("plain/big", "v1", "linux/amd64", TestImages.Format.OCI);
        byte[] huge = new byte[4 * 1024 * 1024 + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        for (boolean chunked : new boolean[] {false, true}) {
            try (FrontProxy front = new FrontProxy(registry.get(), false)) {
                front.replaceResponseBody("/manifests/", huge, chunked);
                RegistryClient client = client(front.hostPort());
                assertThatThrownBy(() -> client.fetchManifest(ImageReference.parse(front.hostPort() + "/plain/big:v1")))
                        .isInstanceOf(RegistryException.class)
                        .hasMessageContaining("limit of 4194304 bytes");
            }
        }
        assertThat(client(registry.get().hostPort())
                        .fetchManifest(ref("plain/big:v1"))
                        .size())
                .isEqualTo(small.size());
    }

    @Test
    void blobPushExistsFetchAndLimits() {
        RegistryClient client = client(registry.get().hostPort());
        byte[] data = TestImages.randomBytes(70_000);
        Digest digest = Digest.sha256(data);
        ImageReference repo = ref("plain/blobs");
        assertThat(client.blobExists(repo, digest)).isFalse();
        client.pushBlob(repo, digest, data);
        assertThat(client.blobExists(repo, digest)).isTrue();
        assertThat(client.fetchBlob(repo, digest, 100_000)).isEqualTo(data);
        assertThat(registry.images().getBlob("plain/blobs", digest.toString())).isEqualTo(data);
        assertThatThrownBy(() -> client.fetchBlob(repo, digest, 1000))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("limit of 1000 bytes");
        assertThatThrownBy(() -> client.pushBlob(repo, Digest.sha256(new byte[] {9}), data))
                .isInstanceOf(InvalidInputException.class);
        Digest absent = Digest.sha256(new byte[] {1, 2, 3});
        assertThatThrownBy(() -> client.fetchBlob(repo, absent, 1000))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("fetch blob " + absent)
                .hasMessageContaining("BLOB_UNKNOWN")
                .satisfies(e -> assertThat(((RegistryException) e).statusCode()).isEqualTo(404));
    }

    @Test
    void mountAcrossRepositoriesIsOneRequest() {
        RegistryClient client = client(registry.get().hostPort());
        byte[] data = TestImages.randomBytes(5000);
        String digest = registry.images().pushBlob("plain/mount-src", data);
        Descriptor blob = new Descriptor(MediaType.OCI_LAYER_GZIP, Digest.parse(digest), data.length);
        int before = client.requestCount();
        int mark = registry.get().mark();
        assertThat(client.mountBlob(ref("plain/mount-dst"), ref("plain/mount-src"), blob))
                .isTrue();
        assertThat(client.requestCount() - before).isEqualTo(1);
        assertThat(registry.get().requestsSince(mark))
                .singleElement()
                .satisfies(r -> assertThat(r.status()).isEqualTo(201))
                .satisfies(r -> assertThat(r.path())
                        .contains("mount=" + digest.replace(":", "%3A"))
                        .contains("from=plain%2Fmount-src"));
        assertThat(client.blobExists(ref("plain/mount-dst"), blob.digest())).isTrue();
    }

    @Test
    void mountAnswered202IsCompletedByCopyInThatSession() {
        byte[] data = TestImages.randomBytes(300_000);
        String digest = registry.images().pushBlob("plain/copy-src", data);
        try (BlobOrigin foreign = new BlobOrigin().serve(digest, data);
                FrontProxy front = new FrontProxy(registry.get(), false)) {
            // A descriptor with foreign-layer urls: they are never fetched, the copy reads the source repository.
            Descriptor blob = new Descriptor(
                    MediaType.OCI_LAYER_GZIP,
                    Digest.parse(digest),
                    data.length,
                    null,
                    java.util.Map.of(),
                    List.of(foreign.baseUri() + "/foreign/" + digest),
                    null);
            front.stripMount();
            RegistryClient client = client(front.hostPort());
            ImageReference target = ImageReference.parse(front.hostPort() + "/plain/copy-dst");
            ImageReference source = ImageReference.parse(front.hostPort() + "/plain/copy-src");
            assertThat(client.mountBlob(target, source, blob)).isFalse();
            // The declined mount is followed by a HEAD of the target (it may have the blob already), then the copy.
            assertThat(front.seen()).extracting(FrontProxy.Seen::method).containsExactly("POST", "HEAD", "GET", "PUT");
            assertThat(client.blobExists(target, blob.digest())).isTrue();
            assertThat(foreign.received()).isEmpty();
        }
        assertThat(registry.images().getBlob("plain/copy-dst", digest)).isEqualTo(data);
    }

    @Test
    void mountDeclinedBecauseTheTargetAlreadyHasTheBlobCopiesNothing() {
        byte[] data = TestImages.randomBytes(4000);
        String digest = registry.images().pushBlob("plain/has-dst", data);
        Descriptor blob = new Descriptor(MediaType.OCI_LAYER_GZIP, Digest.parse(digest), data.length);
        RegistryClient client = client(registry.get().hostPort());
        int mark = registry.get().mark();
        // The source lacks the blob, so the registry declines the mount (202); the target has it already.
        assertThat(client.mountBlob(ref("plain/has-dst"), ref("plain/has-src-empty"), blob))
                .isTrue();
        assertThat(registry.get().requestsSince(mark))
                .extracting(RegistryServer.Request::method, RegistryServer.Request::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("POST", 202),
                        org.assertj.core.groups.Tuple.tuple("HEAD", 200),
                        org.assertj.core.groups.Tuple.tuple("DELETE", 204));
        assertThat(registry.images().getBlob("plain/has-dst", digest)).isEqualTo(data);
    }

    @Test
    void deleteTagNeverDeletesTheImageAndSaysWhenTheRegistryCannotDeleteATag() {
        TestImages.Pushed img = registry.images()
                .pushImage("plain/tmp", "build-amd64-0123456789ab", "linux/amd64", TestImages.Format.OCI);
        TestImages.Pushed keep = registry.images().pushManifest("plain/tmp", "1.0", img.mediaType(), img.manifest());
        RegistryClient client = client(registry.get().hostPort());

        // distribution 2.8 has no tag-only delete (it answers 400): the tag stays, and so does the image
        assertThat(client.deleteTag(ref("plain/tmp:build-amd64-0123456789ab")))
                .isEqualTo(RegistryClient.TagDeletion.UNSUPPORTED);
        assertThat(registry.images()
                        .getManifest("plain/tmp", "build-amd64-0123456789ab")
                        .status())
                .isEqualTo(200);
        assertThat(registry.images().getManifest("plain/tmp", keep.digest()).status())
                .isEqualTo(200);
        assertThat(registry.get().accessLog())
                .noneMatch(r -> r.method().equals("DELETE") && r.path().contains("sha256:"));

        // a digest is refused before any request: it would delete the image under every tag
        assertThatThrownBy(() -> client.deleteTag(ref("plain/tmp@" + img.digest())))
                .isInstanceOf(io.jenkins.plugins.multiarch.InvalidInputException.class)
                .hasMessageContaining("every tag");
    }

    @Test
    void headDigestIsWhereATagPointsWhateverTheMediaType() {
        TestImages.Pushed img = registry.images().pushImage("plain/hd", "img", "linux/amd64", TestImages.Format.DOCKER);
        // An artifact manifest whose config is not an image config: checked, never parsed.
        String config = registry.images().pushBlob("plain/hd", "{\"whatever\":true}".getBytes(StandardCharsets.UTF_8));
        byte[] artifact = ("{\"schemaVersion\":2,\"mediaType\":\"" + TestImages.OCI_MANIFEST + "\",\"artifactType\":"
                        + "\"application/vnd.example.sbom\",\"config\":{\"mediaType\":\"application/vnd.example.sbom.config\","
                        + "\"digest\":\"" + config + "\",\"size\":17},\"layers\":[]}")
                .getBytes(StandardCharsets.UTF_8);
        TestImages.Pushed art = registry.images().pushManifest("plain/hd", "sbom", TestImages.OCI_MANIFEST, artifact);
        RegistryClient client = client(registry.get().hostPort());
        int before = client.requestCount();
        assertThat(client.headDigest(ref("plain/hd:img"))).get().hasToString(img.digest());
        assertThat(client.headDigest(ref("plain/hd:sbom"))).get().hasToString(art.digest());
        assertThat(client.headDigest(ref("plain/hd@" + img.digest()))).get().hasToString(img.digest());
        assertThat(client.headDigest(ref("plain/hd:absent"))).isEmpty();
        assertThat(client.requestCount() - before).isEqualTo(4);

        // A registry answering HEAD 405, or without the digest header: GET and hash the body, unparsed.
        try (FaultProxy proxy = FaultProxy.inFrontOf(registry.get())) {
            proxy.on("HEAD", "/manifests/").always().status(405);
            RegistryClient viaProxy = client(proxy.hostPort());
            assertThat(viaProxy.headDigest(ImageReference.parse(proxy.hostPort() + "/plain/hd:sbom")))
                    .get()
                    .hasToString(art.digest());
            assertThat(viaProxy.headDigest(ImageReference.parse(proxy.hostPort() + "/plain/hd:absent")))
                    .isEmpty();
            assertThat(proxy.requests())
                    .extracting(FaultProxy.Recorded::method)
                    .containsExactly("HEAD", "GET", "HEAD", "GET");
        }
        try (FrontProxy front = new FrontProxy(registry.get(), false)) {
            front.rewriteResponseHeader("/manifests/", "Docker-Content-Digest", null);
            RegistryClient viaFront = client(front.hostPort());
            assertThat(viaFront.headDigest(ImageReference.parse(front.hostPort() + "/plain/hd:img")))
                    .get()
                    .hasToString(img.digest());
            assertThat(front.seen()).extracting(FrontProxy.Seen::method).containsExactly("HEAD", "GET");
        }
    }

    @Test
    void fetchConfigReadsThePlatformAndNamesABrokenConfig() {
        TestImages.Pushed img = registry.images().pushImage("plain/cfg", "1", "linux/arm64/v8", TestImages.Format.OCI);
        RegistryClient client = client(registry.get().hostPort());
        RawManifest raw = client.fetchManifest(ref("plain/cfg:1"));
        io.jenkins.plugins.multiarch.manifest.ImageManifest manifest =
                (io.jenkins.plugins.multiarch.manifest.ImageManifest) raw.parsed();
        assertThat(client.fetchConfig(ref("plain/cfg"), manifest).platform().toString())
                .isEqualTo("linux/arm64/v8");

        byte[] broken = "{\"architecture\": amd64".getBytes(StandardCharsets.UTF_8);
        String brokenDigest = registry.images().pushBlob("plain/cfg", broken);
        io.jenkins.plugins.multiarch.manifest.ImageManifest bad =
                new io.jenkins.plugins.multiarch.manifest.ImageManifest(
                        MediaType.OCI_MANIFEST,
                        new Descriptor(MediaType.OCI_CONFIG, Digest.parse(brokenDigest), broken.length),
                        List.of());
        assertThatThrownBy(() -> client.fetchConfig(ref("plain/cfg"), bad))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining(registry.get().hostPort() + "/plain/cfg")
                .hasMessageContaining(brokenDigest);
    }

    @Test
    void finishedReadsLeaveNoDeadlineGuardBehind() {
        registry.images().pushImage("plain/guard", "1", "linux/amd64", TestImages.Format.OCI);
        RegistryClient client = client(registry.get().hostPort());
        client.fetchManifest(ref("plain/guard:1"));
        int before = RegistryHttp.pendingWatchdogTasks();
        for (int i = 0; i < 30; i++) {
            client.fetchManifest(ref("plain/guard:1"));
        }
        // Each read schedules a guard for its deadline (20 s here) and cancels it when done: none may stay queued.
        assertThat(RegistryHttp.pendingWatchdogTasks()).isLessThanOrEqualTo(before);
    }

    @Test
    void redirectedCopyIsStreamedAgainInANewSessionNotReplayed() {
        byte[] data = TestImages.randomBytes(150_000);
        String digest = registry.images().pushBlob("plain/redir-src", data);
        Descriptor blob = new Descriptor(MediaType.OCI_LAYER_GZIP, Digest.parse(digest), data.length);
        try (FrontProxy front = new FrontProxy(registry.get(), false)) {
            front.stripMount().redirectUploadPuts(1);
            RegistryClient client = client(front.hostPort());
            assertThat(client.mountBlob(
                            ImageReference.parse(front.hostPort() + "/plain/redir-dst"),
                            ImageReference.parse(front.hostPort() + "/plain/redir-src"),
                            blob))
                    .isFalse();
            // The 307 consumed the stream: a new session reads the source again instead of re-sending nothing.
            assertThat(front.seen())
                    .extracting(FrontProxy.Seen::method)
                    .containsExactly("POST", "HEAD", "GET", "PUT", "POST", "HEAD", "GET", "PUT");
        }
        assertThat(registry.images().getBlob("plain/redir-dst", digest)).isEqualTo(data);
    }

    @Test
    void copyOfABlobTheSourceLacksFailsClearly() {
        RegistryClient client = client(registry.get().hostPort());
        byte[] data = TestImages.randomBytes(100);
        Descriptor blob = new Descriptor(MediaType.OCI_LAYER_GZIP, Digest.sha256(data), data.length);
        // The registry answers 202 (the source lacks the blob); the copy then finds nothing to read.
        assertThatThrownBy(() -> client.mountBlob(ref("plain/lack-dst"), ref("plain/lack-src"), blob))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining(
                        "read blob " + blob.digest() + " from " + registry.get().hostPort() + "/plain/lack-src")
                .satisfies(e -> assertThat(((RegistryException) e).statusCode()).isEqualTo(404));
    }

    @Test
    void copyAcrossRegistriesIsRefused() {
        Descriptor blob = new Descriptor(MediaType.OCI_LAYER_GZIP, Digest.sha256(new byte[] {1}), 1);
        RegistryClient client = client(registry.get().hostPort());
        assertThatThrownBy(() -> client.mountBlob(ref("plain/x"), ImageReference.parse("other.example:5000/y"), blob))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("copying across registries is not supported");
        assertThat(client.requestCount()).isZero();
    }

    @Test
    void registryDownFailsQuicklyWithAClearError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String host = "127.0.0.1:" + port;
        RegistryClient client = new RegistryClient(
                RegistrySettings.builder().insecureRegistry(host).build());
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.fetchManifest(ImageReference.parse(host + "/app:1")))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("fetch manifest " + host + "/app:1")
                .hasMessageContaining("cannot reach " + host);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(client.requestCount()).isEqualTo(RetryPolicy.MAX_CONNECT_ATTEMPTS);
    }

    @Test
    void plainHttpOnlyForNamedRegistries() {
        // Not named insecure: the client speaks TLS to a plain-HTTP port and fails without retrying.
        RegistryClient client = new RegistryClient(RegistrySettings.builder().build());
        assertThatThrownBy(() -> client.fetchManifest(ref("plain/app:amd")))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("TLS");
        assertThat(client.requestCount()).isEqualTo(1);
    }

    @Test
    void contentTypeThatContradictsTheBodyIsRefused() {
        registry.images().pushImage("plain/label", "1", "linux/amd64", TestImages.Format.OCI);
        try (FrontProxy front = new FrontProxy(registry.get(), false)) {
            front.rewriteResponseHeader("/manifests/", "Content-Type", TestImages.DOCKER_MANIFEST);
            RegistryClient client = client(front.hostPort());
            assertThatThrownBy(() -> client.fetchManifest(ImageReference.parse(front.hostPort() + "/plain/label:1")))
                    .isInstanceOf(VerificationException.class)
                    .hasMessageContaining("fetch manifest " + front.hostPort() + "/plain/label:1")
                    .hasMessageContaining(TestImages.DOCKER_MANIFEST);
        }
    }

    @Test
    void requestCountIsThreadSafeAndMatchesTheRegistryLog() throws Exception {
        registry.images().pushImage("plain/count", "1", "linux/amd64", TestImages.Format.OCI);
        RegistryClient client = client(registry.get().hostPort());
        int mark = registry.get().mark();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<RawManifest>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                results.add(pool.submit(() -> client.fetchManifest(ref("plain/count:1"))));
            }
            for (java.util.concurrent.Future<RawManifest> f : results) {
                assertThat(f.get().mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(client.requestCount())
                .isEqualTo(20)
                .isEqualTo(registry.get().requestsSince(mark).size());
    }
}
