package io.jenkins.plugins.multiarch.registry;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The blob half of the distribution API for one {@link RegistryClient}: HEAD, GET, upload sessions (POST, then
 * one monolithic PUT {@code ?digest=}), cross-repository mounts, and streamed copies within a registry and
 * across registries. Every request is built here as a {@link Call} and run by the client's {@link RegistryHttp};
 * the endpoint of a reference comes from the client (the allowlist is checked there, before anything is sent).
 *
 * <p>A streamed blob is read once: an upload that fails midway (reset, 5xx, a lost session, a 401 after the body
 * went out) is abandoned and the blob read again from its source into a new session, at most
 * {@value #MAX_UPLOAD_SESSIONS} sessions within the client's deadline. The content is hashed while it streams
 * ({@link DigestCheckingInputStream}), so a blob that is not what its descriptor says is never committed.
 */
final class Blobs {

    private static final String OCTET_STREAM = "application/octet-stream";
    /** Upload sessions tried before giving up on a blob push or copy (each is a new POST). */
    static final int MAX_UPLOAD_SESSIONS = 3;

    private final RegistrySettings settings;
    private final RegistryHttp http;
    private final LogListener listener;
    private final Function<ImageReference, Endpoint> endpoints;

    Blobs(RegistrySettings settings, RegistryHttp http, Function<ImageReference, Endpoint> endpoints) {
        this.settings = settings;
        this.http = http;
        this.listener = settings.listener();
        this.endpoints = endpoints;
    }

    boolean exists(ImageReference repository, Digest digest) {
        Endpoint endpoint = endpoints.apply(repository);
        return present(endpoint, repository, digest, Set.of(Scopes.pull(repository.repository())));
    }

    byte[] fetch(ImageReference repository, Digest digest, long maxBytes) {
        Endpoint endpoint = endpoints.apply(repository);
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

    void push(ImageReference repository, Digest digest, byte[] content) {
        if (!digest.matches(content)) {
            throw new InvalidInputException(
                    "cannot push blob " + digest + " to " + repository.repositoryString() + ": the " + content.length
                            + " bytes given hash to " + Digest.compute(digest.algorithm(), content));
        }
        Endpoint endpoint = endpoints.apply(repository);
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

    /** See {@link RegistryClient#mountBlob}. */
    boolean mount(ImageReference target, ImageReference source, Descriptor blob) {
        if (!target.sameRegistry(source)) {
            throw new InvalidInputException("cannot mount blob " + blob.digest() + " from " + source.repositoryString()
                    + " into " + target.repositoryString() + ": copying across registries is not supported"
                    + " by a mount; push the image to " + target.registry() + " first and use it from there,"
                    + " or copy it with multiarch copy");
        }
        if (target.repository().equals(source.repository())) {
            return true;
        }
        Endpoint endpoint = endpoints.apply(target);
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
            if (present(endpoint, target, blob.digest(), scopes)) {
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
            if (streamInto(
                    operation + " (copy)",
                    get,
                    endpoint,
                    source,
                    target,
                    location,
                    scopes,
                    blob,
                    session,
                    deadline,
                    false)) {
                return false;
            }
        }
    }

    /** See {@link RegistryClient#copyBlob}. */
    BlobTransfer copy(ImageReference source, ImageReference target, Descriptor blob) {
        if (target.sameRegistry(source)) {
            if (target.repository().equals(source.repository()) || exists(target, blob.digest())) {
                return BlobTransfer.PRESENT;
            }
            return mount(target, source, blob) ? BlobTransfer.MOUNTED : BlobTransfer.COPIED;
        }
        Endpoint to = endpoints.apply(target);
        Endpoint from = endpoints.apply(source);
        String operation = "copy blob " + blob.digest() + " from " + source.repositoryString() + " to "
                + target.repositoryString();
        // HEAD with the upload's own scopes: the token it gets is the one the upload then uses.
        Set<String> scopes = Set.of(Scopes.pullPush(target.repository()));
        if (present(to, target, blob.digest(), scopes)) {
            listener.debug(target.repositoryString() + " already has " + blob.digest() + "; not copied");
            return BlobTransfer.PRESENT;
        }
        Deadline deadline = Deadline.after(settings.deadline());
        for (int session = 1; ; session++) {
            Reply opened = openUpload(operation, to, target, scopes, null, null);
            if (opened.status == 201) {
                return BlobTransfer.PRESENT;
            }
            URI location = uploadLocation(operation, opened);
            // The source's own endpoint and read scope: its credentials and tokens never go to the target.
            Call get = new Call(
                            "read blob " + blob.digest() + " from " + source.repositoryString() + " to copy it",
                            from,
                            "GET",
                            blobUri(from, source, blob.digest()))
                    .scopes(Set.of(Scopes.pull(source.repository())))
                    .streamResponse();
            if (streamInto(operation, get, from, source, target, location, scopes, blob, session, deadline, true)) {
                listener.debug("copied " + blob.digest() + " (" + blob.size() + " bytes) from "
                        + source.repositoryString() + " to " + target.repositoryString());
                return BlobTransfer.COPIED;
            }
        }
    }

    /**
     * One upload session fed from the source's GET: the response body streams, hashed on the way, into the PUT
     * that completes the session. True when the blob is stored; false when this session failed in a way a new one
     * may fix (the caller opens a new one and reads the blob again). With {@code abandonFailed} a session that
     * failed is cancelled (DELETE) rather than left to the registry's purge.
     */
    private boolean streamInto(
            String operation,
            Call get,
            Endpoint sourceEndpoint,
            ImageReference source,
            ImageReference target,
            URI location,
            Set<String> scopes,
            Descriptor blob,
            int session,
            Deadline deadline,
            boolean abandonFailed) {
        Endpoint to = endpoints.apply(target);
        Reply content;
        try {
            content = http.send(get);
        } catch (RuntimeException e) {
            if (abandonFailed) {
                abandonUpload(operation, to, location, scopes);
            }
            throw e;
        }
        if (!content.ok()) {
            if (abandonFailed) {
                abandonUpload(operation, to, location, scopes);
            }
            throw RegistryErrors.failure(get.operation, sourceEndpoint, source.repository(), content);
        }
        // A source that stops sending must not hold the upload forever: the read would wait on this very thread.
        IdleGuard download = IdleGuard.watch(content.stream, settings.requestTimeout());
        DigestCheckingInputStream checked = new DigestCheckingInputStream(download, blob.digest(), blob.size());
        Call put = new Call(operation, to, "PUT", withDigest(location, blob.digest()))
                .header("Content-Type", OCTET_STREAM)
                .scopes(scopes);
        put.streamBody = () -> checked;
        put.streamLength = blob.size();
        boolean stored = false;
        try {
            stored = completeUpload(put, to, target, blob.digest(), session, deadline, checked);
            return stored;
        } finally {
            closeQuietly(download);
            content.close();
            if (!stored && abandonFailed) {
                abandonUpload(operation, to, location, scopes); // a failed session must not linger (or 404: gone)
            }
        }
    }

    private static void closeQuietly(IdleGuard stream) {
        try {
            stream.close();
        } catch (java.io.IOException ignored) {
            // a download nobody reads any more
        }
    }

    /** HEAD of a blob with the caller's scopes (a mount or push token covers it: no token round trip). */
    private boolean present(Endpoint endpoint, ImageReference repository, Digest digest, Set<String> scopes) {
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
                Optional<Digest> stored = DigestHeader.claimed(reply, put.operation);
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

    private static URI blobUri(Endpoint endpoint, ImageReference repository, Digest digest) {
        return endpoint.api(repository.repository() + "/blobs/" + digest);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
