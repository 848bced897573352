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
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

    private static final String OCTET_STREAM = "application/octet-stream";
    private static final String DIGEST_HEADER = "Docker-Content-Digest";
    /** Upload sessions tried before giving up on a blob push or copy (each is a new POST). */
    private static final int MAX_UPLOAD_SESSIONS = 3;

    private final RegistrySettings settings;
    private final RegistryHttp http;
    private final LogListener listener;

    public RegistryClient(RegistrySettings settings) {
        this.settings = settings;
        this.http = new RegistryHttp(settings);
        this.listener = settings.listener();
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
            Optional<Digest> claimed = claimedDigest(reply, operation);
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
            Optional<Digest> claimed = claimedDigest(reply, operation);
            if (claimed.isPresent()) {
                return claimed;
            }
            listener.debug(operation + ": HEAD answer lacks " + DIGEST_HEADER + "; using GET");
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
        Optional<String> digestHeader = reply.header(DIGEST_HEADER);
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
        Optional<Digest> stored = claimedDigest(reply, operation);
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
        Endpoint endpoint = endpoint(repository);
        String operation = "check blob " + digest + " in " + repository.repositoryString();
        Call call = new Call(operation, endpoint, "HEAD", blobUri(endpoint, repository, digest))
                .scopes(Set.of(Scopes.pull(repository.repository())));
        Reply reply = http.send(call);
        if (reply.ok()) {
            return true;
        }
        if (reply.status == 404) {
            return false;
        }
        throw RegistryErrors.failure(operation, endpoint, repository.repository(), reply);
    }

    /**
     * GETs a blob (an image config, typically) of at most {@code maxBytes}, verified against its digest.
     * Redirects to storage are followed without sending credentials there.
     */
    public byte[] fetchBlob(ImageReference repository, Digest digest, long maxBytes) {
        Endpoint endpoint = endpoint(repository);
        String operation = "fetch blob " + digest + " from " + repository.repositoryString();
        Call call = new Call(operation, endpoint, "GET", blobUri(endpoint, repository, digest))
                .scopes(Set.of(Scopes.pull(repository.repository())))
                .maxBody(maxBytes);
        Reply reply = http.send(call);
        if (!reply.ok()) {
            throw RegistryErrors.failure(operation, endpoint, repository.repository(), reply);
        }
        if (!digest.matches(reply.body)) {
            throw new VerificationException(operation + ": the content hashes to "
                    + Digest.compute(digest.algorithm(), reply.body) + ", not " + digest);
        }
        return reply.body;
    }

    /**
     * Uploads a blob: POST to open a session, then one monolithic PUT {@code ?digest=}. A session that fails
     * midway is abandoned and a new one opened (bounded).
     */
    public void pushBlob(ImageReference repository, Digest digest, byte[] content) {
        if (!digest.matches(content)) {
            throw new InvalidInputException(
                    "cannot push blob " + digest + " to " + repository.repositoryString() + ": the " + content.length
                            + " bytes given hash to " + Digest.compute(digest.algorithm(), content));
        }
        Endpoint endpoint = endpoint(repository);
        String operation = "push blob " + digest + " to " + repository.repositoryString();
        Set<String> scopes = Set.of(Scopes.pullPush(repository.repository()));
        Deadline deadline = Deadline.after(settings.deadline());
        for (int session = 1; ; session++) {
            Reply opened = openUpload(operation, endpoint, repository, scopes, null, null);
            if (opened.status == 201) {
                return; // already there
            }
            URI location = uploadLocation(operation, opened);
            Call put = new Call(operation, endpoint, "PUT", withDigest(location, digest))
                    .header("Content-Type", OCTET_STREAM)
                    .body(content)
                    .scopes(scopes)
                    .attempts(1);
            if (completeUpload(put, endpoint, repository, digest, session, deadline, null)) {
                return;
            }
        }
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
        if (!target.sameRegistry(source)) {
            throw new InvalidInputException("cannot copy blob " + blob.digest() + " from " + source.repositoryString()
                    + " to " + target.repositoryString() + ": copying across registries is not supported;"
                    + " push the image to " + target.registry() + " first and use it from there");
        }
        if (target.repository().equals(source.repository())) {
            return true;
        }
        Endpoint endpoint = endpoint(target);
        String operation = "mount blob " + blob.digest() + " from " + source.repositoryString() + " into "
                + target.repositoryString();
        Set<String> scopes = Scopes.mount(target.repository(), source.repository());
        Deadline deadline = Deadline.after(settings.deadline());
        for (int session = 1; ; session++) {
            Reply opened = openUpload(operation, endpoint, target, scopes, blob.digest(), source.repository());
            if (opened.status == 201) {
                listener.debug("mounted " + blob.digest() + " from " + source.repositoryString() + " into "
                        + target.repositoryString());
                return true;
            }
            URI location = uploadLocation(operation, opened);
            if (blobPresent(endpoint, target, blob.digest(), scopes)) {
                // Declined because the target already has it (distribution answers 202 when the source lacks
                // it), or an earlier session's copy was stored although its answer was lost.
                abandonUpload(operation, endpoint, location, scopes);
                listener.debug(target.repositoryString() + " already has " + blob.digest() + "; nothing to copy");
                return session == 1;
            }
            listener.info("the registry did not mount " + blob.digest() + " from " + source.repositoryString()
                    + "; copying it (" + blob.size() + " bytes) within " + target.registry());
            // Same token (both scopes) for reading the source: no extra token round trip.
            Call get = new Call(
                            "read blob " + blob.digest() + " from " + source.repositoryString() + " to copy it",
                            endpoint,
                            "GET",
                            blobUri(endpoint, source, blob.digest()))
                    .scopes(scopes)
                    .streamResponse();
            Reply content = http.send(get);
            if (!content.ok()) {
                throw RegistryErrors.failure(get.operation, endpoint, source.repository(), content);
            }
            DigestCheckingInputStream checked =
                    new DigestCheckingInputStream(content.stream, blob.digest(), blob.size());
            Call put = new Call(operation + " (copy)", endpoint, "PUT", withDigest(location, blob.digest()))
                    .header("Content-Type", OCTET_STREAM)
                    .scopes(scopes);
            put.streamBody = () -> checked;
            put.streamLength = blob.size();
            try {
                if (completeUpload(put, endpoint, target, blob.digest(), session, deadline, checked)) {
                    return false;
                }
            } finally {
                content.close();
            }
        }
    }

    /** HEAD of a blob with the caller's scopes (a mount token covers it: no token round trip). */
    private boolean blobPresent(Endpoint endpoint, ImageReference repository, Digest digest, Set<String> scopes) {
        String operation = "check blob " + digest + " in " + repository.repositoryString();
        Call call = new Call(operation, endpoint, "HEAD", blobUri(endpoint, repository, digest)).scopes(scopes);
        Reply reply = http.send(call);
        if (reply.ok()) {
            return true;
        }
        if (reply.status == 404) {
            return false;
        }
        throw RegistryErrors.failure(operation, endpoint, repository.repository(), reply);
    }

    /** DELETE an upload session we will not use, so it does not linger until the registry purges it; errors ignored. */
    private void abandonUpload(String operation, Endpoint endpoint, URI location, Set<String> scopes) {
        Call delete = new Call(operation + " (cancel the unused upload session)", endpoint, "DELETE", location)
                .scopes(scopes)
                .attempts(1);
        try {
            Reply reply = http.send(delete);
            if (!reply.ok() && reply.status != 404) {
                listener.debug(delete.operation + ": HTTP " + reply.status + " (ignored)");
            }
        } catch (RuntimeException e) {
            listener.debug(delete.operation + ": " + e.getMessage() + " (ignored)");
        }
    }

    /** POST .../blobs/uploads/ (with mount parameters when given); 201 or 202, else a failure. */
    private Reply openUpload(
            String operation,
            Endpoint endpoint,
            ImageReference repository,
            Set<String> scopes,
            Digest mount,
            String from) {
        String path = repository.repository() + "/blobs/uploads/";
        if (mount != null) {
            path += "?mount=" + encode(mount.toString()) + "&from=" + encode(from);
        }
        Call post = new Call(operation, endpoint, "POST", endpoint.api(path)).scopes(scopes);
        Reply reply = http.send(post);
        if (reply.status == 201 || reply.status == 202) {
            return reply;
        }
        throw RegistryErrors.failure(operation, endpoint, repository.repository(), reply);
    }

    /**
     * Sends the final PUT of an upload session. True when the blob is stored; false when the session
     * failed in a way a new session may fix (then the caller opens one, within the limits).
     */
    private boolean completeUpload(
            Call put,
            Endpoint endpoint,
            ImageReference repository,
            Digest digest,
            int session,
            Deadline deadline,
            DigestCheckingInputStream checked) {
        Reply reply;
        RegistryException failure;
        try {
            reply = http.send(put);
            if (reply.ok()) {
                Optional<Digest> stored = claimedDigest(reply, put.operation);
                if (stored.isPresent() && !stored.get().equals(digest)) {
                    throw new VerificationException(
                            put.operation + ": the registry stored the blob as " + stored.get() + ", not " + digest);
                }
                return true;
            }
            failure = RegistryErrors.failure(put.operation, endpoint, repository.repository(), reply);
            boolean sessionLost = reply.status == 404 || RetryPolicy.retryable(reply.status);
            if (!sessionLost) {
                throw failure;
            }
        } catch (RegistryException e) {
            if (checked != null && checked.mismatch() != null) {
                throw new VerificationException(put.operation + ": " + checked.mismatch(), e);
            }
            if (e.statusCode() != -1 && !(e.statusCode() == 404 || RetryPolicy.retryable(e.statusCode()))) {
                throw e;
            }
            failure = e;
        }
        if (checked != null && checked.mismatch() != null) {
            throw new VerificationException(put.operation + ": " + checked.mismatch(), failure);
        }
        Duration wait = Duration.ofMillis(settings.retryBackoff().toMillis() * session);
        if (session >= Math.min(MAX_UPLOAD_SESSIONS, settings.maxAttempts()) || !deadline.allows(wait)) {
            throw failure;
        }
        listener.debug(put.operation + ": upload session " + session + " failed (" + failure.getMessage()
                + "); starting a new one");
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(put.operation + " was interrupted", e);
        }
        return false;
    }

    private static URI uploadLocation(String operation, Reply reply) {
        String location = reply.header("Location")
                .orElseThrow(() -> new RegistryException(
                        operation + " failed: the registry opened an upload (HTTP " + reply.status
                                + ") without a Location header",
                        reply.status,
                        null));
        try {
            return reply.uri.resolve(new URI(location.strip()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new RegistryException(
                    operation + " failed: unusable upload Location " + Redact.text(location), reply.status, null);
        }
    }

    private static URI withDigest(URI location, Digest digest) {
        String query = location.getRawQuery();
        String param = "digest=" + encode(digest.toString());
        String base = location.toString();
        int hash = base.indexOf('#');
        if (hash >= 0) {
            base = base.substring(0, hash);
        }
        return URI.create(base + (query == null || query.isEmpty() ? (base.endsWith("?") ? "" : "?") : "&") + param);
    }

    private Optional<Digest> claimedDigest(Reply reply, String operation) {
        Optional<String> header = reply.header(DIGEST_HEADER);
        if (header.isEmpty() || header.get().isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Digest.parse(header.get().strip()));
        } catch (InvalidInputException e) {
            throw new VerificationException(
                    operation + ": the registry sent an unreadable " + DIGEST_HEADER + " '"
                            + RegistryErrors.truncate(header.get(), 150) + "'",
                    e);
        }
    }

    /** Every request of this client starts here: the allowlist is checked before anything is sent. */
    private Endpoint endpoint(ImageReference reference) {
        settings.requireAllowed(reference.registry());
        return new Endpoint(reference.registry(), settings.isInsecure(reference.registry()) ? "http" : "https");
    }

    private static URI manifestUri(Endpoint endpoint, ImageReference reference) {
        return endpoint.api(reference.repository() + "/manifests/" + reference.referenceForApi());
    }

    private static URI blobUri(Endpoint endpoint, ImageReference repository, Digest digest) {
        return endpoint.api(repository.repository() + "/blobs/" + digest);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "RegistryClient[" + settings + "]";
    }
}
