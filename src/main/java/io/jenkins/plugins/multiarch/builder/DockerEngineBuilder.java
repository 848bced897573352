package io.jenkins.plugins.multiarch.builder;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import io.jenkins.plugins.multiarch.BuildException;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

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
public final class DockerEngineBuilder implements ImageBuilder, BuildEngine, ConnectedEngine, Closeable {

    public static final String NAME = "docker";

    private final DockerClient docker;
    private final String dockerHost;
    private final RegistryClient registry;
    private final CredentialsSource credentials;
    private final java.util.concurrent.locks.ReentrantLock buildLock = new java.util.concurrent.locks.ReentrantLock();
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

    @Override
    public BuildException unreachable(RuntimeException e) {
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
    public String description() {
        return "the docker builder (engine at " + dockerHost + ")";
    }

    @Override
    public String displayName() {
        return "the Docker Engine " + version();
    }

    @Override
    public String machineName() {
        return info().getName();
    }

    @Override
    public ArchImageRecord build(BuildRequest request, LogListener listener) {
        return new BuildAndPush(this, registry, credentials).run(request, listener);
    }

    @Override
    public BuildEngine.Session open(
            BuildRequest request,
            Optional<RegistryCredentials> creds,
            Optional<RegistryCredentials> cacheCreds,
            LogLines lines) {
        if (creds.isPresent()) {
            // before the engine gets them: it would send them over plain HTTP to a registry it deems insecure
            new PlainHttpGuard(registry).requireTls(request.image(), "the Docker Engine at " + dockerHost);
        }
        if (cacheCreds.isPresent() && request.cache() != null) {
            // the cache's registry may be another one: the same rule for its credentials
            new PlainHttpGuard(registry)
                    .requireTls(request.cache().imageFor(request.platform()), "the Docker Engine at " + dockerHost);
        }
        if (!request.pull()) {
            lines.line("pulling the base image anyway: the Docker Engine keeps one image per tag, so a base "
                    + "cached for another platform would be reused silently");
        }
        return new DockerSession(this, docker, creds, cacheCreds, lines);
    }

    /** Held while the engine builds (see {@link DockerSession#build}). */
    @Override
    public java.util.concurrent.locks.Lock buildLock() {
        return buildLock;
    }

    /** Whether the engine answered once (an error before that means it is unreachable). */
    @Override
    public boolean reached() {
        return info != null;
    }

    /** The platform of a local image by name or ID, from its config; null when the engine does not say. */
    @Override
    public Platform localPlatform(String image) {
        try {
            var inspected = docker.inspectImageCmd(image).exec();
            return inspected.getOs() == null || inspected.getArch() == null
                    ? null
                    : Platform.of(inspected.getOs(), inspected.getArch());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Refuses, before pushing, an image whose config names another platform (a stale or single-platform
     * base). The registry read-back after the push stays the authoritative check.
     */
    @Override
    public void checkLocalImage(String imageId, Platform requested) {
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
