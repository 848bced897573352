package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link RegistryClient#copyBlob} between two real registries, each with its own basic-auth user: the source's
 * credentials never reach the destination, nor the storage a source redirects its download to; a blob whose
 * content is not its digest is never committed; a streamed upload that loses its session (401 after the body, a
 * redirect) restarts from a fresh download.
 */
class BlobCopyTest {

    private static final String SRC_USER = "reader";
    private static final String SRC_PASSWORD = "Src-pw-4711";
    private static final String DST_USER = "writer";
    private static final String DST_PASSWORD = "Dst-pw-0815";

    @RegisterExtension
    static final RegistryExtension<RegistryServer> source = RegistryExtension.basicAuth(SRC_USER, SRC_PASSWORD);

    @RegisterExtension
    static final RegistryExtension<RegistryServer> destination = RegistryExtension.basicAuth(DST_USER, DST_PASSWORD);

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final LogListener listener = (level, message) -> log.add(message);

    private RegistryClient client(String sourceHost, String destinationHost) {
        return new RegistryClient(RegistrySettings.builder()
                .listener(listener)
                .retries(3, Duration.ofSeconds(30))
                .retryBackoff(Duration.ofMillis(20))
                .insecureRegistry(sourceHost)
                .insecureRegistry(destinationHost)
                .credentials(CredentialsSource.chain(
                        CredentialsSource.of(sourceHost, RegistryCredentials.of(SRC_USER, SRC_PASSWORD)),
                        CredentialsSource.of(destinationHost, RegistryCredentials.of(DST_USER, DST_PASSWORD))))
                .build());
    }

    private static Descriptor layer(String digest, int size) {
        return new Descriptor(MediaType.OCI_LAYER_GZIP, Digest.parse(digest), size);
    }

    @Test
    void copiesAcrossRegistriesThenSkipsThenMountsWithinTheDestination() {
        byte[] data = TestImages.randomBytes(300_000);
        String digest = source.images().pushBlob("blobs/src", data);
        String src = source.get().hostPort();
        String dst = destination.get().hostPort();
        RegistryClient client = client(src, dst);
        ImageReference from = ImageReference.parse(src + "/blobs/src");
        ImageReference to = ImageReference.parse(dst + "/blobs/dst");

        assertThat(client.copyBlob(from, to, layer(digest, data.length))).isEqualTo(BlobTransfer.COPIED);
        assertThat(destination.images().getBlob("blobs/dst", digest)).isEqualTo(data);
        int before = client.requestCount();
        assertThat(client.copyBlob(from, to, layer(digest, data.length))).isEqualTo(BlobTransfer.PRESENT);
        assertThat(client.requestCount() - before).isEqualTo(1); // one HEAD
        assertThat(client.copyBlob(to, ImageReference.parse(dst + "/blobs/other"), layer(digest, data.length)))
                .isEqualTo(BlobTransfer.MOUNTED);
        assertThat(String.join("\n", log)).doesNotContain(SRC_PASSWORD, DST_PASSWORD);
    }

    @Test
    void aSourceRedirectToStorageGetsNoCredentialsAndTheDestinationNeverTheSourceOnes() {
        byte[] data = TestImages.randomBytes(50_000);
        String digest = source.images().pushBlob("blobs/redir", data);
        try (BlobOrigin storage = new BlobOrigin().serve(digest, data);
                FrontProxy front = new FrontProxy(source.get(), false).redirectBlobGetsTo(storage.baseUri());
                FrontProxy back = new FrontProxy(destination.get(), false)) {
            RegistryClient client = client(front.hostPort(), back.hostPort());
            BlobTransfer done = client.copyBlob(
                    ImageReference.parse(front.hostPort() + "/blobs/redir"),
                    ImageReference.parse(back.hostPort() + "/blobs/redir"),
                    layer(digest, data.length));

            assertThat(done).isEqualTo(BlobTransfer.COPIED);
            assertThat(destination.images().getBlob("blobs/redir", digest)).isEqualTo(data);
            assertThat(storage.received())
                    .singleElement()
                    .satisfies(r -> assertThat(r.hasAuthorization()).isFalse());
            // The destination accepted what it got: had it received the source's user, it would have answered 401
            // to every write and the copy would have failed. Its proxy saw only destination paths.
            assertThat(back.seen())
                    .allMatch(s ->
                            s.path().startsWith("/v2/blobs/redir/") || s.path().equals("/v2/"));
            assertThat(front.seen())
                    .allMatch(s -> s.method().equals("GET") || s.method().equals("HEAD"));
            assertThat(String.join("\n", log))
                    .contains("another origin: no credentials sent there")
                    .doesNotContain("presignedsecret123", SRC_PASSWORD, DST_PASSWORD);
        }
    }

    @Test
    void contentThatIsNotItsDigestIsNeverCommitted() {
        byte[] data = TestImages.randomBytes(40_000);
        String digest = source.images().pushBlob("blobs/liar", data);
        byte[] other = TestImages.randomBytes(40_000);
        try (BlobOrigin storage = new BlobOrigin().serve(digest, other);
                FrontProxy front = new FrontProxy(source.get(), false).redirectBlobGetsTo(storage.baseUri())) {
            RegistryClient client = client(front.hostPort(), destination.get().hostPort());
            assertThatThrownBy(() -> client.copyBlob(
                            ImageReference.parse(front.hostPort() + "/blobs/liar"),
                            ImageReference.parse(destination.get().hostPort() + "/blobs/liar"),
                            layer(digest, data.length)))
                    .isInstanceOf(VerificationException.class)
                    .hasMessageContaining("blob " + digest + " is not what it claims");
            assertThat(client.blobExists(
                            ImageReference.parse(destination.get().hostPort() + "/blobs/liar"), Digest.parse(digest)))
                    .isFalse();
        }
    }

    @Test
    void aStreamedUploadThatLosesItsSessionIsReadAgainIntoANewOne() {
        byte[] data = TestImages.randomBytes(120_000);
        String digest = source.images().pushBlob("blobs/lost", data);
        try (FrontProxy front = new FrontProxy(source.get(), false);
                FrontProxy back = new FrontProxy(destination.get(), false)) {
            RegistryClient client = client(front.hostPort(), back.hostPort());
            // the first upload PUT is redirected (its streamed body cannot follow), the second is sent without its
            // token (the registry answers 401 after the body went out): both need a new session and a new download
            back.redirectUploadPuts(1);
            client.copyBlob(
                    ImageReference.parse(front.hostPort() + "/blobs/lost"),
                    ImageReference.parse(back.hostPort() + "/blobs/lost-a"),
                    layer(digest, data.length));
            back.dropAuthorization("PUT", 1);
            BlobTransfer done = client.copyBlob(
                    ImageReference.parse(front.hostPort() + "/blobs/lost"),
                    ImageReference.parse(back.hostPort() + "/blobs/lost-b"),
                    layer(digest, data.length));
            assertThat(done).isEqualTo(BlobTransfer.COPIED);
            assertThat(destination.images().getBlob("blobs/lost-a", digest)).isEqualTo(data);
            assertThat(destination.images().getBlob("blobs/lost-b", digest)).isEqualTo(data);
            // two downloads per copy: the one whose upload was lost, and the one that was stored
            assertThat(front.seen())
                    .filteredOn(s -> s.method().equals("GET") && s.path().contains("/blobs/sha256:"))
                    .filteredOn(FrontProxy.Seen::authorization)
                    .hasSize(4);
        }
    }
}
