package io.jenkins.plugins.multiarch.registry;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.ImageConfig;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import io.jenkins.plugins.multiarch.manifest.Manifest;
import io.jenkins.plugins.multiarch.manifest.ManifestCodec;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import java.net.URI;
import java.util.Optional;
import java.util.Set;

/**
 * A client of the OCI distribution API for any number of registries, with one set of settings
 * (credentials, trust, insecure registries, retries). Thread-safe; tokens are cached per client and never
 * shared with another client.
 *
 * <p>Every failure is a {@link RegistryException} (auth: {@link io.jenkins.plugins.multiarch.RegistryAuthenticationException}),
 * content that is not what it claims is a {@link VerificationException}; messages name the operation, the
 * reference and a fix, and never contain secrets.
 */
public final class RegistryClient {

    /** Every manifest kind this project reads, most capable first. */
    static final String MANIFEST_ACCEPT = String.join(
            ", ",
            MediaType.OCI_INDEX.value(),
            MediaType.DOCKER_MANIFEST_LIST.value(),
            MediaType.OCI_MANIFEST.value(),
            MediaType.DOCKER_MANIFEST.value());
    /** Any manifest at all, for {@link #headDigest}: schema 1 and artifacts included, so no tag looks absent. */
    static final String ANY_MANIFEST_ACCEPT = String.join(
            ", ",
            MANIFEST_ACCEPT,
            MediaType.DOCKER_MANIFEST_SCHEMA1_SIGNED.value(),
            MediaType.DOCKER_MANIFEST_SCHEMA1.value(),
            "*/*");
    /** The largest image config blob read. */
    static final long MAX_CONFIG_BYTES = 8L * 1024 * 1024;

    private final RegistrySettings settings;
    private final RegistryHttp http;
    private final LogListener listener;
    private final Blobs blobs;

    public RegistryClient(RegistrySettings settings) {
        this.settings = settings;
        this.http = new RegistryHttp(settings);
        this.listener = settings.listener();
        this.blobs = new Blobs(settings, http, this::endpoint);
    }

    public RegistrySettings settings() {
        return settings;
    }

    /** HTTP requests actually sent so far, token requests and redirect hops included. */
    public int requestCount() {
        return http.requestCount();
    }

    /**
     * GETs a manifest or index by tag or digest. By digest, the content must hash to it; by tag, it must
     * match the registry's Docker-Content-Digest when one is sent. At most 4 MiB are read.
     */
    public RawManifest fetchManifest(ImageReference reference) {
        Endpoint endpoint = endpoint(reference);
        String operation = "fetch manifest " + reference;
        Call call = new Call(operation, endpoint, "GET", manifestUri(endpoint, reference))
                .header("Accept", MANIFEST_ACCEPT)
                .scopes(Set.of(Scopes.pull(reference.repository())))
                .maxBody(ManifestCodec.MAX_MANIFEST_BYTES);
        Reply reply = http.send(call);
        if (!reply.ok()) {
            throw RegistryErrors.failure(operation, endpoint, reference.repository(), reply);
        }
        byte[] bytes = reply.body;
        Manifest parsed;
        try {
            parsed = ManifestCodec.parse(bytes, reply.header("Content-Type").orElse(null));
        } catch (VerificationException e) {
            throw new VerificationException(operation + ": " + e.getMessage(), e);
        }
        Digest digest;
        if (reference.digest().isPresent()) {
            digest = reference.digest().get();
            if (!digest.matches(bytes)) {
                throw new VerificationException(operation + ": the registry returned content that hashes to "
                        + Digest.compute(digest.algorithm(), bytes) + ", not the requested " + digest
                        + "; the registry or something between it and us altered the manifest");
            }
        } else {
            digest = Digest.sha256(bytes);
            Optional<Digest> claimed = DigestHeader.claimed(reply, operation);
            if (claimed.isPresent() && !claimed.get().matches(bytes)) {
                throw new VerificationException(operation + ": the registry says the manifest is " + claimed.get()
                        + " but its content hashes to "
                        + Digest.compute(claimed.get().algorithm(), bytes));
            }
        }
        return new RawManifest(bytes, parsed.mediaType(), digest);
    }

    /**
     * What a tag or digest points at, without downloading the manifest where the registry allows: HEAD,
     * falling back to GET when HEAD is refused (405), fails (500/501) or lacks the digest or media type.
     * Empty when the registry says 404.
     */
    public Optional<Descriptor> headManifest(ImageReference reference) {
        String operation = "check manifest " + reference;
        Reply reply = headForFallback(reference, operation, MANIFEST_ACCEPT);
        if (reply != null && reply.status == 404) {
            return Optional.empty();
        }
        if (reply != null) {
            Optional<Descriptor> described = describe(reply, reference);
            if (described.isPresent()) {
                return described;
            }
            listener.debug(operation + ": HEAD answer lacks digest, media type or size; using GET");
        }
        try {
            return Optional.of(fetchManifest(reference).descriptor());
        } catch (RegistryException e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * A manifest HEAD with the fallback rules both HEAD methods share: the reply when it is 404 or 2xx,
     * {@code null} when the caller should GET instead (405, or 500/501 as some Nexus versions answer HEAD
     * by digest), an exception for any other failure.
     */
    private Reply headForFallback(ImageReference reference, String operation, String accept) {
        Endpoint endpoint = endpoint(reference);
        Call call = new Call(operation, endpoint, "HEAD", manifestUri(endpoint, reference))
                .header("Accept", accept)
                .scopes(Set.of(Scopes.pull(reference.repository())));
        call.noRetry = Set.of(500);
        Reply reply = http.send(call);
        if (reply.status == 404 || reply.ok()) {
            return reply;
        }
        if (reply.status == 405 || reply.status == 500 || reply.status == 501) {
            listener.debug(operation + ": HEAD answered " + reply.status + "; using GET");
            return null;
        }
        throw RegistryErrors.failure(operation, endpoint, reference.repository(), reply);
    }

    /** What became of a tag we asked the registry to delete. */
    public enum TagDeletion {
        /** The tag is gone; the image it pointed at stays (it is still referenced by digest). */
        DELETED,
        /** The tag did not exist. */
        ABSENT,
        /** The registry cannot delete a tag alone (distribution 2.8 answers 400/405), or may not: the tag stays. */
        UNSUPPORTED
    }

    /**
     * Deletes one TAG, never the manifest: OCI distribution 1.1 {@code DELETE /v2/NAME/manifests/TAG}. A delete
     * by digest would remove the image under every tag that points at it (checklist case 27), so a reference
     * with a digest is refused. Registries that cannot delete a tag alone answer {@link TagDeletion#UNSUPPORTED}.
     */
    public TagDeletion deleteTag(ImageReference tagged) {
        if (tagged.digest().isPresent() || tagged.tag().isEmpty()) {
            throw new InvalidInputException("deleteTag needs a tag and no digest, not '" + tagged
                    + "': deleting by digest would delete the image under every tag");
        }
        Endpoint endpoint = endpoint(tagged);
        String operation = "delete tag " + tagged;
        Call call = new Call(operation, endpoint, "DELETE", manifestUri(endpoint, tagged))
                .scopes(Set.of(Scopes.pullPush(tagged.repository())));
        call.noRetry = Set.of(500);
        Reply reply = http.send(call);
        if (reply.status == 202 || reply.ok()) {
            return TagDeletion.DELETED;
        }
        if (reply.status == 404) {
            return TagDeletion.ABSENT;
        }
        if (reply.status == 400
                || reply.status == 401
                || reply.status == 403
                || reply.status == 405
                || reply.status == 501) {
            listener.debug(operation + ": the registry answered " + reply.status + "; the tag stays");
            return TagDeletion.UNSUPPORTED;
        }
        throw RegistryErrors.failure(operation, endpoint, tagged.repository(), reply);
    }

    /**
     * The digest a tag or digest points at, whatever the manifest's media type (schema 1 and artifacts
     * included: they are neither parsed nor refused). HEAD's Docker-Content-Digest; when HEAD is refused
     * (405, 500, 501) or sends no digest, a GET of at most 4 MiB hashed with sha256 (the body is not parsed).
     * Empty when the registry says 404.
     */
    public Optional<Digest> headDigest(ImageReference reference) {
        Endpoint endpoint = endpoint(reference);
        String operation = "check where " + reference + " points";
        Reply reply = headForFallback(reference, operation, ANY_MANIFEST_ACCEPT);
        if (reply != null && reply.status == 404) {
            return Optional.empty();
        }
        if (reply != null) {
            Optional<Digest> claimed = DigestHeader.claimed(reply, operation);
            if (claimed.isPresent()) {
                return claimed;
            }
            listener.debug(operation + ": HEAD answer lacks " + DigestHeader.NAME + "; using GET");
        }
        Call get = new Call(operation, endpoint, "GET", manifestUri(endpoint, reference))
                .header("Accept", ANY_MANIFEST_ACCEPT)
                .scopes(Set.of(Scopes.pull(reference.repository())))
                .maxBody(ManifestCodec.MAX_MANIFEST_BYTES);
        Reply got = http.send(get);
        if (got.status == 404) {
            return Optional.empty();
        }
        if (!got.ok()) {
            throw RegistryErrors.failure(operation, endpoint, reference.repository(), got);
        }
        if (reference.digest().isPresent()) {
            Digest pinned = reference.digest().get();
            if (!pinned.matches(got.body)) {
                throw new VerificationException(operation + ": the registry returned content that hashes to "
                        + Digest.compute(pinned.algorithm(), got.body) + ", not the requested " + pinned);
            }
            return Optional.of(pinned);
        }
        return Optional.of(Digest.sha256(got.body));
    }

    /**
     * Whether the registry serves the OCI 1.1 referrers API for {@code repository}: {@code GET
     * /v2/<name>/referrers/<digest>} answers 200 with an OCI index (an empty one when nothing refers to the digest
     * yet). distribution 2.8 answers 404: there an attestation is found through the list's entries alone, and a
     * manifest gets no {@code subject}, which would change its digest for nothing.
     */
    public boolean supportsReferrers(ImageReference repository, Digest digest) {
        Endpoint endpoint = endpoint(repository);
        String operation = "check whether " + repository.registry() + " serves the OCI referrers API";
        Call get = new Call(operation, endpoint, "GET", endpoint.api(repository.repository() + "/referrers/" + digest))
                .header("Accept", MediaType.OCI_INDEX.value())
                .scopes(Set.of(Scopes.pull(repository.repository())))
                .maxBody(ManifestCodec.MAX_MANIFEST_BYTES);
        Reply got = http.send(get);
        if (got.status == 404 || got.status == 400 || got.status == 405) {
            return false;
        }
        if (!got.ok()) {
            throw RegistryErrors.failure(operation, endpoint, repository.repository(), got);
        }
        return got.header("Content-Type")
                .map(t -> t.startsWith(MediaType.OCI_INDEX.value()))
                .orElse(false);
    }

    /**
     * Fetches and parses the config blob of an image manifest (at most 8 MiB, verified against its digest).
     *
     * @param repository the repository holding the image (its tag or digest is ignored)
     * @throws VerificationException when the blob is not an image config this project reads
     */
    public ImageConfig fetchConfig(ImageReference repository, ImageManifest manifest) {
        Digest config = manifest.config().digest();
        byte[] bytes = fetchBlob(repository, config, MAX_CONFIG_BYTES);
        try {
            return ManifestCodec.parseConfig(bytes);
        } catch (VerificationException | InvalidInputException e) {
            throw new VerificationException(
                    "read the image config " + config + " of " + repository + ": " + e.getMessage()
                            + "; the image was pushed with a broken config, rebuild and push it again",
                    e);
        }
    }

    private Optional<Descriptor> describe(Reply reply, ImageReference reference) {
        Optional<String> digestHeader = reply.header(DigestHeader.NAME);
        Optional<String> type = reply.header("Content-Type");
        long size = reply.headers.firstValueAsLong("Content-Length").orElse(-1);
        if (digestHeader.isEmpty() || type.isEmpty() || size < 0) {
            return Optional.empty();
        }
        try {
            Digest digest = Digest.parse(digestHeader.get().strip());
            MediaType mediaType = MediaType.of(type.get());
            if (!mediaType.isManifest()) {
                return Optional.empty();
            }
            if (reference.digest().isPresent() && !reference.digest().get().equals(digest)) {
                return Optional.empty(); // let GET verify the content itself
            }
            return Optional.of(new Descriptor(mediaType, digest, size));
        } catch (InvalidInputException unreadable) {
            return Optional.empty();
        }
    }

    /**
     * PUTs exactly these bytes with Content-Type = the manifest's media type, under the tag or digest of
     * {@code target}. The registry's Docker-Content-Digest must equal ours; without one, ours is trusted.
     *
     * @return the manifest's digest
     * @throws VerificationException when the registry stored something else
     */
    public Digest putManifest(ImageReference target, RawManifest manifest) {
        Endpoint endpoint = endpoint(target);
        String operation = "push manifest " + manifest.digest() + " to " + target;
        if (target.digest().isPresent() && !target.digest().get().equals(manifest.digest())) {
            throw new InvalidInputException("cannot " + operation + ": the reference pins digest "
                    + target.digest().get() + " but the manifest is " + manifest.digest()
                    + "; push it by its own digest or by tag");
        }
        byte[] bytes = manifest.bytes();
        Call call = new Call(operation, endpoint, "PUT", manifestUri(endpoint, target))
                .header("Content-Type", manifest.mediaType().value())
                .body(bytes)
                .scopes(Set.of(Scopes.pullPush(target.repository())));
        Reply reply;
        try {
            reply = http.send(call);
            if (!reply.ok()) {
                throw RegistryErrors.failure(operation, endpoint, target.repository(), reply);
            }
        } catch (RegistryException failure) {
            if (alreadyStored(target, manifest.digest(), operation, failure)) {
                return manifest.digest();
            }
            throw failure;
        }
        Optional<Digest> stored = DigestHeader.claimed(reply, operation);
        if (stored.isPresent() && !stored.get().matches(bytes)) {
            throw new VerificationException(operation + ": the registry stored it as " + stored.get()
                    + " but the bytes we sent are " + manifest.digest() + "; the registry or a proxy changed the"
                    + " manifest, so no further tag is moved");
        }
        listener.debug("pushed manifest " + manifest.digest() + " (" + manifest.mediaType() + ") to " + target);
        return manifest.digest();
    }

    /**
     * After a failed manifest PUT: whether the reference now holds exactly our manifest anyway. A PUT whose
     * answer was lost is retried, and registries that refuse identical re-pushes (Nexus without redeploy, ECR
     * immutable tags) then answer 400 or 409 to a push that in fact succeeded.
     */
    private boolean alreadyStored(ImageReference target, Digest digest, String operation, RegistryException failure) {
        if (failure instanceof io.jenkins.plugins.multiarch.RegistryAuthenticationException) {
            return false; // nothing was stored with credentials that are refused
        }
        try {
            Optional<Digest> now = headDigest(target);
            if (now.isPresent() && now.get().equals(digest)) {
                listener.debug(operation + ": the registry answered "
                        + (failure.statusCode() == -1 ? "nothing usable" : "HTTP " + failure.statusCode()) + " but "
                        + target + " already stored " + digest
                        + "; the push succeeded");
                return true;
            }
        } catch (RuntimeException checkFailed) {
            failure.addSuppressed(checkFailed);
        }
        return false;
    }

    /** Whether the repository has this blob (HEAD; redirects followed without credentials). */
    public boolean blobExists(ImageReference repository, Digest digest) {
        return blobs.exists(repository, digest);
    }

    /**
     * GETs a blob (an image config, typically) of at most {@code maxBytes}, verified against its digest.
     * Redirects to storage are followed without sending credentials there.
     */
    public byte[] fetchBlob(ImageReference repository, Digest digest, long maxBytes) {
        return blobs.fetch(repository, digest, maxBytes);
    }

    /**
     * Uploads a blob: POST to open a session, then one monolithic PUT {@code ?digest=}. A session that fails
     * midway is abandoned and a new one opened (bounded).
     */
    public void pushBlob(ImageReference repository, Digest digest, byte[] content) {
        blobs.push(repository, digest, content);
    }

    /**
     * Makes a blob of {@code source}'s repository available in {@code target}'s: a cross-repository mount
     * (one request, token scopes {@code repository:target:pull,push} and {@code repository:source:pull});
     * when the registry answers 202 instead, the blob is copied through that upload session, streamed
     * from the source repository and verified. Only within one registry host. Descriptor {@code urls} are
     * never fetched.
     *
     * <p>When the mount is declined, the target is checked first: if it already has the blob, the upload
     * session is cancelled and nothing is copied. So callers need no {@link #blobExists} before it.
     *
     * @return true when the blob is in the target without copying (mounted, already there, or the same
     *         repository), false when it was copied
     */
    public boolean mountBlob(ImageReference target, ImageReference source, Descriptor blob) {
        return blobs.mount(target, source, blob);
    }

    /**
     * Makes a blob of {@code source}'s repository present in {@code target}'s, on the same registry or another:
     * HEAD first (a blob the target has is not sent again); within one registry a mount; across registries the
     * source's GET streamed into the target's upload (no temporary file, never the whole blob in memory), its
     * digest and size checked while it streams. Source and target each get their own credentials and tokens. A
     * session that fails midway (reset, 5xx) restarts the blob in a new session, within the retry settings.
     *
     * @throws VerificationException when the source's content is not what the descriptor says
     */
    public BlobTransfer copyBlob(ImageReference source, ImageReference target, Descriptor blob) {
        return blobs.copy(source, target, blob);
    }

    /** Every request of this client starts here: the allowlist is checked before anything is sent. */
    private Endpoint endpoint(ImageReference reference) {
        settings.requireAllowed(reference.registry());
        return new Endpoint(reference.registry(), settings.isInsecure(reference.registry()) ? "http" : "https");
    }

    private static URI manifestUri(Endpoint endpoint, ImageReference reference) {
        return endpoint.api(reference.repository() + "/manifests/" + reference.referenceForApi());
    }

    @Override
    public String toString() {
        return "RegistryClient[" + settings + "]";
    }
}
