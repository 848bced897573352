package io.jenkins.plugins.multiarch.builder;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.AuthConfigurations;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.PushResponseItem;
import com.github.dockerjava.api.model.ResponseItem;
import io.jenkins.plugins.multiarch.BuildException;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One build on a Docker Engine: the context streamed as a tar written while it is read (honouring
 * .dockerignore), the base always pulled for the requested platform (the engine keeps one image per tag, so a
 * base cached for another platform would be reused silently), then the push of one name. The engine connection
 * belongs to {@link DockerEngineBuilder}; closing a session releases nothing.
 *
 * <p>With a {@link BuildCache} the classic builder's cache is an image: {@code REPO:buildcache-<arch>} is pulled for
 * the requested platform and given as {@code --cache-from} (the classic builder only uses cache images that are in
 * its store); after a successful build the built image is tagged and pushed as that platform's cache. Nothing else
 * is read or written, so another platform's cache is never touched.
 */
final class DockerSession implements BuildEngine.Session {

    private final ConnectedEngine engine;
    private final DockerClient docker;
    private final Optional<RegistryCredentials> creds;
    private final Optional<RegistryCredentials> cacheCreds;
    private final LogLines lines;
    /** This platform's cache image, when the request names a cache. */
    private ImageReference cacheImage;

    DockerSession(
            ConnectedEngine engine,
            DockerClient docker,
            Optional<RegistryCredentials> creds,
            Optional<RegistryCredentials> cacheCreds,
            LogLines lines) {
        this.engine = engine;
        this.docker = docker;
        this.creds = creds;
        this.cacheCreds = cacheCreds;
        this.lines = lines;
    }

    @Override
    public String build(BuildRequest request, List<ImageReference> names, Instant created) {
        // one build at a time per engine: its store keeps one image per tag, so two platforms pulling the same
        // base at once would each build on whichever pull came last. Pushes and checks still run in parallel.
        try {
            engine.buildLock().lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException(
                    "build interrupted: the build of " + request.context() + " for " + request.platform()
                            + " was stopped while it waited for the engine's other build; nothing was pushed",
                    lines.tail(),
                    e);
        }
        try {
            return buildAlone(request, names, created);
        } finally {
            engine.buildLock().unlock();
        }
    }

    private String buildAlone(BuildRequest request, List<ImageReference> names, Instant created) {
        ContextTar tar = new ContextTar(request.context(), request.dockerfile());
        Set<String> tags = new LinkedHashSet<>();
        names.forEach(n -> tags.add(n.toString()));
        AtomicReference<String> error = new AtomicReference<>();
        AtomicReference<String> imageId = new AtomicReference<>();
        try (InputStream context = tar.open()) {
            BuildImageCmd cmd = docker.buildImageCmd()
                    .withTarInputStream(context)
                    .withDockerfilePath(tar.dockerfileName())
                    .withTags(tags)
                    .withPlatform(request.platform().toString())
                    .withPull(true)
                    .withNoCache(request.noCache())
                    .withRemove(true)
                    .withForcerm(true)
                    .withLabels(request.effectiveLabels(created));
            if (request.target() != null) {
                cmd.withTarget(request.target());
            }
            if (request.cache() != null) {
                cacheImage = request.cache().imageFor(request.platform());
                if (!request.noCache() && importCache(cacheImage, request.platform())) {
                    cmd.withCacheFrom(Set.of(cacheImage.toString()));
                }
            }
            for (Map.Entry<String, String> arg : request.buildArgs().entrySet()) {
                cmd.withBuildArg(arg.getKey(), arg.getValue());
            }
            creds.ifPresent(c -> {
                AuthConfigurations auths = new AuthConfigurations();
                auths.addConfig(authConfig(request.image(), c));
                cmd.withBuildAuthConfigs(auths);
            });
            ResultCallback.Adapter<BuildResponseItem> callback = new ResultCallback.Adapter<>() {
                @Override
                public void onNext(BuildResponseItem item) {
                    if (item.getStream() != null) {
                        lines.accept(item.getStream());
                    }
                    status(item, lines);
                    if (item.isErrorIndicated()) {
                        error.compareAndSet(null, errorMessage(item));
                    }
                    if (item.isBuildSuccessIndicated() && item.getImageId() != null) {
                        imageId.set(item.getImageId());
                    }
                }
            };
            cmd.exec(callback);
            awaitOrCancel(
                    callback,
                    "build interrupted: the build of " + request.context() + " for " + request.platform()
                            + " was stopped (the build was aborted); nothing was pushed",
                    lines);
        } catch (IOException e) {
            throw new BuildException(
                    "the build context " + request.context() + " could not be sent: " + e.getMessage(),
                    lines.tail(),
                    e);
        } catch (MultiarchException e) {
            throw e;
        } catch (RuntimeException e) {
            if (error.get() == null) {
                if (!engine.reached()) {
                    throw engine.unreachable(e);
                }
                error.set(lines.mask(String.valueOf(e.getMessage())));
            }
        }
        // the context stream is closed: the writer ends at once; wait for it so its outcome is known
        tar.awaitWriter(5_000);
        IOException contextFailure = tar.failure();
        if (contextFailure != null) {
            // a file that could not be read truncated the tar; the engine's complaint about it comes second
            throw new BuildException(
                    "the build context " + request.context() + " could not be read: "
                            + contextFailure.getMessage()
                            + "; fix the file's permissions or exclude it in .dockerignore"
                            + (error.get() == null ? "" : " (the engine then said: " + lines.mask(error.get()) + ")"),
                    lines.tail(),
                    contextFailure);
        }
        if (error.get() != null) {
            // the engine's own answer; a "Pipe closed" of the context writer is only its consequence
            lines.line("error: " + lines.mask(error.get()));
            throw new BuildException(
                    "the build of " + request.context() + " for " + request.platform() + " failed: "
                            + lines.mask(error.get()) + "; nothing was pushed",
                    lines.tail());
        }
        IOException gone = tar.receiverGone();
        if (imageId.get() == null && gone != null) {
            throw new BuildException(
                    "the Docker Engine stopped reading the build context " + request.context()
                            + " without saying why (" + gone.getMessage()
                            + "); check the engine's log (journalctl -u docker) "
                            + "and its free disk space",
                    lines.tail(),
                    gone);
        }
        if (imageId.get() == null) {
            throw new BuildException(
                    "the Docker Engine ended the build of " + request.platform()
                            + " without an image id; nothing was pushed",
                    lines.tail());
        }
        return imageId.get();
    }

    /**
     * Waits for a streaming engine call. On an interrupt (a Jenkins abort) the call's connection is closed,
     * which makes the engine cancel the build or push (the classic builder kills the running step's
     * container); then a BuildException, with the interrupt flag kept. docker-java 3.7's awaitCompletion
     * also closes the callback when interrupted; closing it here does not rely on that (close is idempotent).
     */
    private static void awaitOrCancel(ResultCallback.Adapter<?> callback, String interruptedMessage, LogLines lines) {
        try {
            callback.awaitCompletion();
        } catch (InterruptedException e) {
            try {
                callback.close();
            } catch (IOException | RuntimeException closing) {
                e.addSuppressed(closing);
            }
            Thread.currentThread().interrupt();
            throw new BuildException(interruptedMessage, lines.tail(), e);
        }
    }

    private static String errorMessage(ResponseItem item) {
        ResponseItem.ErrorDetail detail = item.getErrorDetail();
        String message = detail == null ? null : detail.getMessage();
        return message != null ? message : "the engine reported an error without a message";
    }

    private static void status(ResponseItem item, LogLines lines) {
        // progress bars are noise in a CI log; statuses such as "Pulling from ..." are not
        ResponseItem.ProgressDetail progress = item.getProgressDetail();
        if (item.getStatus() != null && (progress == null || progress.getTotal() == null)) {
            lines.accept((item.getId() == null ? "" : item.getId() + ": ") + item.getStatus() + "\n");
        }
    }

    /**
     * Pulls this platform's cache image for the classic builder's {@code --cache-from}. A cache that is missing,
     * unreadable or of another platform is not used, with one line saying so: never an error.
     */
    private boolean importCache(ImageReference cache, Platform platform) {
        AtomicReference<String> error = new AtomicReference<>();
        try {
            var pull = docker.pullImageCmd(cache.withoutTagOrDigest().toString())
                    .withTag(cache.tag().orElseThrow())
                    .withPlatform(platform.toString());
            cacheCreds.ifPresent(c -> pull.withAuthConfig(authConfig(cache, c)));
            ResultCallback.Adapter<PullResponseItem> callback = pull.exec(new ResultCallback.Adapter<>() {
                @Override
                public void onNext(PullResponseItem item) {
                    if (item.isErrorIndicated()) {
                        error.compareAndSet(null, errorMessage(item));
                    }
                }
            });
            awaitOrCancel(
                    callback,
                    "build interrupted: the pull of the build cache " + cache + " was stopped; nothing was pushed",
                    lines);
        } catch (MultiarchException e) {
            throw e;
        } catch (RuntimeException e) {
            if (!engine.reached()) {
                throw engine.unreachable(e);
            }
            error.compareAndSet(null, String.valueOf(e.getMessage()));
        }
        if (error.get() != null) {
            String why = lines.mask(error.get()).strip();
            boolean missing = why.contains("not found") || why.contains("manifest unknown");
            lines.line((missing
                            ? "no build cache at " + cache + " yet: building without it"
                            : "the build cache " + cache + " is not used (" + why + "): building without it")
                    + "; this build's image becomes " + platform + "'s cache");
            return false;
        }
        Platform cached = engine.localPlatform(cache.toString());
        if (cached != null && !cached.matches(platform.withVariant(null)) && !cached.matches(platform)) {
            lines.line("the build cache " + cache + " is " + cached + ", not " + platform
                    + ": not used, building without it; this build's image replaces it");
            return false;
        }
        lines.line("using the build cache " + cache);
        return true;
    }

    /** Tags the built image as this platform's cache and pushes it; a failure is one warning, never the build's. */
    @Override
    public void exportCache(String imageId) {
        if (cacheImage == null) {
            return;
        }
        try {
            docker.tagImageCmd(
                            imageId,
                            cacheImage.withoutTagOrDigest().toString(),
                            cacheImage.tag().orElseThrow())
                    .withForce(Boolean.TRUE)
                    .exec();
            Digest pushed = push(cacheImage, cacheCreds);
            lines.line("wrote the build cache " + cacheImage + " (" + pushed + ")");
        } catch (MultiarchException e) {
            lines.line("WARNING: the build cache " + cacheImage + " was not written: " + lines.mask(e.getMessage())
                    + " (the image itself is pushed and confirmed)");
        } catch (RuntimeException e) {
            lines.line("WARNING: the build cache " + cacheImage + " was not written: "
                    + lines.mask(String.valueOf(e.getMessage())) + " (the image itself is pushed and confirmed)");
        }
    }

    @Override
    public void checkBuiltPlatform(String imageId, Platform requested) {
        engine.checkLocalImage(imageId, requested);
    }

    @Override
    public Digest push(ImageReference ref) {
        return push(ref, creds);
    }

    private Digest push(ImageReference ref, Optional<RegistryCredentials> login) {
        AtomicReference<String> error = new AtomicReference<>();
        AtomicReference<String> digest = new AtomicReference<>();
        lines.line("pushing " + ref);
        try {
            var cmd = docker.pushImageCmd(ref.withoutTagOrDigest().toString())
                    .withTag(ref.tag().orElseThrow());
            login.ifPresent(c -> cmd.withAuthConfig(authConfig(ref, c)));
            ResultCallback.Adapter<PushResponseItem> callback =
                    cmd.exec(new ResultCallback.Adapter<PushResponseItem>() {
                        @Override
                        public void onNext(PushResponseItem item) {
                            status(item, lines);
                            if (item.isErrorIndicated()) {
                                error.compareAndSet(null, errorMessage(item));
                            }
                            ResponseItem.AuxDetail aux = item.getAux();
                            if (aux != null && aux.getDigest() != null) {
                                digest.set(aux.getDigest());
                            }
                        }
                    });
            awaitOrCancel(
                    callback,
                    "build interrupted: the push of " + ref + " was stopped (the build was aborted); "
                            + "the registry may hold some of its blobs but no manifest",
                    lines);
        } catch (MultiarchException e) {
            throw e;
        } catch (RuntimeException e) {
            error.compareAndSet(null, String.valueOf(e.getMessage()));
        }
        if (error.get() != null) {
            String message = lines.mask(error.get());
            if (PushErrors.isAuthFailure(message)) {
                throw new RegistryAuthenticationException(
                        "the registry " + ref.registry() + " refused the push of " + ref
                                + ": " + message + "; check the credentials for " + ref.registry()
                                + " (docker login, or the credentials given to multiarch)",
                        401);
            }
            throw new RegistryException("the push of " + ref + " failed: " + message
                    + "; check that the registry is reachable from the Docker Engine (plain-HTTP registries outside "
                    + "127.0.0.0/8 must be in the engine's insecure-registries)");
        }
        if (digest.get() == null) {
            throw new RegistryException("the Docker Engine pushed " + ref
                    + " but reported no digest; update the engine " + "(API 1.24 or later reports it)");
        }
        try {
            return Digest.parse(digest.get());
        } catch (InvalidInputException e) {
            throw new RegistryException(
                    "the Docker Engine reported digest '" + digest.get() + "' for " + ref + ", which is not a digest",
                    e);
        }
    }

    private static AuthConfig authConfig(ImageReference ref, RegistryCredentials c) {
        AuthConfig auth = new AuthConfig()
                .withRegistryAddress(ref.isDockerHub() ? AuthConfig.DEFAULT_SERVER_ADDRESS : ref.registry());
        if (c.isIdentityToken()) {
            // dockerd exchanges it at the registry's token service, as after a docker login that returned one
            return auth.withIdentityToken(new String(c.password()));
        }
        return auth.withUsername(c.username()).withPassword(new String(c.password()));
    }

    @Override
    public void close() {
        // the connection is the builder's; nothing of a build outlives it on this side
    }
}
