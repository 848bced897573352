package io.jenkins.plugins.multiarch.builder;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How to make a builder ({@link BuilderFactory}): its name as the user wrote it and the options of each engine.
 * The Docker Engine's connection follows the {@code DOCKER_*} environment rules ({@link #environment}), and
 * explicit values ({@link Builder#dockerHost}) win over the environment. Unset values: the engine's defaults.
 */
public final class BuilderOptions {

    /** The environment entries that the factory reads ({@link #environment}): a caller forwards only these. */
    public static final List<String> ENVIRONMENT =
            List.of("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", CreationTime.SOURCE_DATE_EPOCH);

    final String builder;
    final String dockerHost;
    final Boolean dockerTlsVerify;
    final Path dockerCertPath;
    final String storageDriver;
    final String isolation;
    final Path root;
    final Path runRoot;
    final boolean layers;
    final Path workDir;

    private BuilderOptions(Builder b) {
        this.builder = b.builder;
        this.dockerHost = b.dockerHost;
        this.dockerTlsVerify = b.dockerTlsVerify;
        this.dockerCertPath = b.dockerCertPath;
        this.storageDriver = b.storageDriver;
        this.isolation = b.isolation;
        this.root = b.root;
        this.runRoot = b.runRoot;
        this.layers = b.layers;
        this.workDir = b.workDir;
    }

    /** @param builder {@code docker} or {@code buildah} as written (checked by {@link BuilderFactory#create}) */
    public static Builder builder(String builder) {
        return new Builder(builder);
    }

    /** The builder's name as written. */
    public String builderName() {
        return builder;
    }

    /**
     * {@code DOCKER_TLS_VERIFY} as the docker CLI reads it: set and not empty means verify, except {@code 0} and
     * {@code false} (any case), which people write to mean "off".
     */
    static boolean tlsVerifyValue(String value) {
        String v = value.strip();
        return !v.isEmpty() && !"0".equals(v) && !"false".equals(v.toLowerCase(Locale.ROOT));
    }

    /** Fluent builder. */
    public static final class Builder {
        private final String builder;
        private String dockerHost;
        private Boolean dockerTlsVerify;
        private Path dockerCertPath;
        private String storageDriver;
        private String isolation;
        private Path root;
        private Path runRoot;
        private boolean layers;
        private Path workDir;

        private Builder(String builder) {
            this.builder = builder;
        }

        /**
         * Applies the {@code DOCKER_*} entries of {@code env} (the CLI's environment, a Jenkins step's) to what
         * is not set explicitly: {@code DOCKER_HOST}, {@code DOCKER_TLS_VERIFY} ({@link #tlsVerifyValue}),
         * {@code DOCKER_CERT_PATH}. Call it after the explicit setters or before: explicit values win.
         */
        public Builder environment(Map<String, String> env) {
            String host = env.get("DOCKER_HOST");
            if (dockerHost == null && host != null && !host.isBlank()) {
                dockerHost = host.strip();
            }
            String verify = env.get("DOCKER_TLS_VERIFY");
            if (dockerTlsVerify == null && verify != null) {
                dockerTlsVerify = tlsVerifyValue(verify);
            }
            String certs = env.get("DOCKER_CERT_PATH");
            if (dockerCertPath == null && certs != null && !certs.isBlank()) {
                dockerCertPath = Path.of(certs.strip());
            }
            return this;
        }

        /** {@code unix:///path/docker.sock} or {@code tcp://host:port}; null: the environment's or the default. */
        public Builder dockerHost(String v) {
            this.dockerHost = v == null || v.isBlank() ? null : v.strip();
            return this;
        }

        public Builder dockerTlsVerify(boolean v) {
            this.dockerTlsVerify = v;
            return this;
        }

        public Builder dockerCertPath(Path v) {
            this.dockerCertPath = v;
            return this;
        }

        /** buildah's storage driver; null: {@code vfs}. */
        public Builder storageDriver(String v) {
            this.storageDriver = v;
            return this;
        }

        /** buildah's isolation; null: {@code chroot}. */
        public Builder isolation(String v) {
            this.isolation = v;
            return this;
        }

        /** buildah's {@code --root}; null: buildah's own. */
        public Builder root(Path v) {
            this.root = v;
            return this;
        }

        /** buildah's {@code --runroot}; null: buildah's own. */
        public Builder runRoot(Path v) {
            this.runRoot = v;
            return this;
        }

        /** buildah's {@code --layers}. */
        public Builder layers(boolean v) {
            this.layers = v;
            return this;
        }

        /** Where buildah's per-build folder (auth file, registries.conf) goes; null: the temp folder. */
        public Builder workDir(Path v) {
            this.workDir = v;
            return this;
        }

        public BuilderOptions build() {
            return new BuilderOptions(this);
        }
    }
}
