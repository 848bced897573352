package io.jenkins.plugins.multiarch.builder;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.AuthConfigurations;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.PushResponseItem;
import com.github.dockerjava.api.model.ResponseItem;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import io.jenkins.plugins.multiarch.BuildException;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Builds with a Docker Engine through its API (docker-java, zerodep transport: no native library). The
 * engine is {@code DOCKER_HOST} ({@code unix://} or {@code tcp://}; with {@code DOCKER_TLS_VERIFY=1} and
 * {@code DOCKER_CERT_PATH} for TLS client certificates) unless given explicitly.
 *
 * <p>Credentials for a registry not named insecure are given to the engine only after that registry answered
 * over verified TLS ({@link PlainHttpGuard}): the engine itself would fall back to plain HTTP for 127.0.0.0/8.
 *
 * <p>The context is streamed to the engine as a tar written while it is read, honouring .dockerignore.
 * The base image is always pulled for the requested platform: the engine's store keeps one image per tag,
 * so without a pull a base cached for another platform is silently reused (the stale-base problem).
 */
public final class DockerEngineBuilder implements ImageBuilder, Closeable {

    public static final String NAME = "docker";

    private final DockerClient docker;
    private final String dockerHost;
    private final RegistryClient registry;
    private final CredentialsSource credentials;
    private volatile Info info;
    private volatile String version;

    private DockerEngineBuilder(
            DockerClient docker, String dockerHost, RegistryClient registry, CredentialsSource credentials) {
        this.docker = docker;
        this.dockerHost = dockerHost;
        this.registry = registry;
        this.credentials = credentials;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The engine named by the environment (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH). */
    public static DockerEngineBuilder fromEnvironment(RegistryClient registry, CredentialsSource credentials) {
        return builder().registryClient(registry).credentials(credentials).build();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        if (version == null) {
            try {
                version = docker.versionCmd().exec().getVersion();
            } catch (RuntimeException e) {
                throw unreachable(e);
            }
        }
        return version;
    }

    /** The engine's own platform (it may be another machine than this one). */
    @Override
    public Platform hostPlatform() {
        Info i = info();
        return HostArchitecture.fromEngine(i.getOsType(), i.getArchitecture());
    }

    private Info info() {
        if (info == null) {
            try {
                info = docker.infoCmd().exec();
            } catch (RuntimeException e) {
                throw unreachable(e);
            }
        }
        return info;
    }

    private BuildException unreachable(RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new BuildException(
                "cannot reach the Docker Engine at " + dockerHost + " ("
                        + root.getClass().getSimpleName()
                        + (root.getMessage() == null ? "" : ": " + root.getMessage())
                        + "): start dockerd, or point DOCKER_HOST "
                        + "at a running engine (unix:///var/run/docker.sock, tcp://host:2376 with DOCKER_TLS_VERIFY=1 and "
                        + "DOCKER_CERT_PATH)",
                List.of(),
                e);
    }

    @Override
    public ArchImageRecord build(BuildRequest request, LogListener listener) {
        request.checkFiles();
        Platform host = hostPlatform();
        boolean emulated =
                HostArchitecture.guard(request, host, "the docker builder (engine at " + dockerHost + ")", listener);
        List<ImageReference> refs = request.naming().references(request.image(), request.tags(), request.platform());
        Instant started = Instant.now();

        Optional<RegistryCredentials> creds = credentials.lookup(request.image().registry());
        if (creds.isPresent()) {
            // before the engine gets them: it would send them over plain HTTP to a registry it deems insecure
            new PlainHttpGuard(registry).requireTls(refs.get(0), "the Docker Engine at " + dockerHost);
        }
        List<String> secrets = new ArrayList<>(request.secretValues());
        creds.ifPresent(c -> secrets.add(new String(c.password())));
        String prefix = "[" + request.platform() + "] ";
        LogLines lines = new LogLines(listener, prefix, secrets);

        if (!request.pull()) {
            listener.info(
                    prefix + "pulling the base image anyway: the Docker Engine keeps one image per tag, so a base "
                            + "cached for another platform would be reused silently");
        }
        listener.info(prefix + "building " + request.context() + " for " + request.platform() + " on the Docker Engine "
                + version() + " (" + host + ")" + (emulated ? " under emulation" : ""));
        String imageId = runBuild(request, refs, started, creds, lines);
        listener.info(prefix + "built " + imageId);
        checkLocalImage(imageId, request.platform());

        Digest reported = null;
        for (ImageReference ref : refs) {
            Digest d = push(ref, creds, lines);
            if (reported == null) {
                reported = d;
            }
        }
        PushVerifier.Confirmed confirmed = new PushVerifier(registry).confirm(refs, reported, request.platform());
        listener.info(prefix + "pushed " + refs.get(0).withoutTagOrDigest().withDigest(confirmed.digest()) + " ("
                + confirmed.platform() + " confirmed by the registry)");
        return new ArchImageRecord(
                ArchImageRecord.SCHEMA_VERSION,
                request.image(),
                refs,
                confirmed.digest(),
                confirmed.mediaType(),
                confirmed.size(),
                confirmed.platform(),
                request.platform(),
                emulated,
                NAME,
                version(),
                info().getName(),
                request.agentName(),
                started,
                Instant.now(),
                request.sourceRevision(),
                List.copyOf(new java.util.TreeSet<>(request.buildArgs().keySet())),
                request.naming());
    }

    private String runBuild(
            BuildRequest request,
            List<ImageReference> refs,
            Instant started,
            Optional<RegistryCredentials> creds,
            LogLines lines) {
        ContextTar tar = new ContextTar(request.context(), request.dockerfile());
        Set<String> tags = new LinkedHashSet<>();
        refs.forEach(r -> tags.add(r.toString()));
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
                    .withLabels(request.effectiveLabels(started));
            if (request.target() != null) {
                cmd.withTarget(request.target());
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
                if (info == null) {
                    throw unreachable(e);
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

    /**
     * Refuses, before pushing, an image whose config names another platform (a stale or single-platform
     * base). The registry read-back after the push stays the authoritative check.
     */
    void checkLocalImage(String imageId, Platform requested) {
        com.github.dockerjava.api.command.InspectImageResponse inspected;
        try {
            inspected = docker.inspectImageCmd(imageId).exec();
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            throw new BuildException(
                    "the Docker Engine at " + dockerHost + " reported " + imageId + " as built but does "
                            + "not have it: something removed it meanwhile (docker image prune?); build again",
                    List.of(),
                    e);
        } catch (com.github.dockerjava.api.exception.DockerException e) {
            throw new BuildException(
                    "the Docker Engine at " + dockerHost + " could not inspect the image it built (" + imageId + "): "
                            + e.getMessage() + "; check the engine's log",
                    List.of(),
                    e);
        } catch (RuntimeException e) {
            throw unreachable(e);
        }
        if (inspected.getArch() == null || inspected.getOs() == null) {
            return;
        }
        Platform local = Platform.of(inspected.getOs(), inspected.getArch());
        if (!local.matches(requested.withVariant(null)) && !local.matches(requested)) {
            throw new VerificationException("the image built for " + requested + " (" + imageId + ") is " + local
                    + " according to its config, so it was not pushed: its base image was the wrong platform (a base "
                    + "that does not exist for " + requested
                    + ", or one cached for another platform); give a base image "
                    + "that has a " + requested + " variant");
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

    private Digest push(ImageReference ref, Optional<RegistryCredentials> creds, LogLines lines) {
        AtomicReference<String> error = new AtomicReference<>();
        AtomicReference<String> digest = new AtomicReference<>();
        lines.line("pushing " + ref);
        try {
            var cmd = docker.pushImageCmd(ref.withoutTagOrDigest().toString())
                    .withTag(ref.tag().orElseThrow());
            creds.ifPresent(c -> cmd.withAuthConfig(authConfig(ref, c)));
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
        return new AuthConfig()
                .withRegistryAddress(ref.isDockerHub() ? AuthConfig.DEFAULT_SERVER_ADDRESS : ref.registry())
                .withUsername(c.username())
                .withPassword(new String(c.password()));
    }

    @Override
    public void close() {
        try {
            docker.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    /** Configures the engine connection. */
    public static final class Builder {
        private String dockerHost;
        private Boolean tlsVerify;
        private Path certPath;
        private RegistryClient registryClient;
        private CredentialsSource credentials = CredentialsSource.none();
        private Duration connectTimeout = Duration.ofSeconds(10);

        /** {@code unix:///path/docker.sock} or {@code tcp://host:port}; default: DOCKER_HOST. */
        public Builder dockerHost(String v) {
            this.dockerHost = v;
            return this;
        }
        /** Verify the engine's TLS certificate and present ours; default: DOCKER_TLS_VERIFY. */
        public Builder tlsVerify(boolean v) {
            this.tlsVerify = v;
            return this;
        }
        /** Folder with ca.pem, cert.pem, key.pem; default: DOCKER_CERT_PATH. */
        public Builder tlsCertPath(Path v) {
            this.certPath = v;
            return this;
        }
        /** The client that confirms pushes (the same registry settings as the publisher). */
        public Builder registryClient(RegistryClient v) {
            this.registryClient = v;
            return this;
        }
        /** Credentials for the push and for base images in the target registry. */
        public Builder credentials(CredentialsSource v) {
            this.credentials = v;
            return this;
        }

        public Builder connectTimeout(Duration v) {
            this.connectTimeout = v;
            return this;
        }

        public DockerEngineBuilder build() {
            if (registryClient == null) {
                throw new IllegalStateException("a RegistryClient is required to confirm pushes");
            }
            DefaultDockerClientConfig.Builder config = DefaultDockerClientConfig.createDefaultConfigBuilder();
            if (dockerHost != null) {
                config.withDockerHost(dockerHost);
            }
            if (tlsVerify != null) {
                config.withDockerTlsVerify(tlsVerify);
            }
            if (certPath != null) {
                if (!Files.isDirectory(certPath)) {
                    throw new InvalidInputException("Docker TLS certificate folder " + certPath
                            + " does not exist: give " + "the folder with ca.pem, cert.pem and key.pem");
                }
                config.withDockerCertPath(certPath.toString());
            }
            DockerClientConfig cfg;
            try {
                cfg = config.build();
            } catch (RuntimeException e) {
                throw new InvalidInputException(
                        "Docker Engine settings are invalid (" + e.getMessage() + "): check "
                                + "DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH",
                        e);
            }
            DockerHttpClient http = new ApacheDockerHttpClient.Builder()
                    .dockerHost(cfg.getDockerHost())
                    .sslConfig(cfg.getSSLConfig())
                    .maxConnections(16)
                    .connectionTimeout(connectTimeout)
                    .build();
            return new DockerEngineBuilder(
                    DockerClientImpl.getInstance(cfg, http),
                    cfg.getDockerHost().toString(),
                    registryClient,
                    credentials);
        }
    }
}
