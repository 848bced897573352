package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds with the buildah CLI on this machine ({@code buildah bud}, then {@code buildah push --digestfile}).
 * Storage driver, storage folders and isolation are configurable; the defaults ({@code vfs}, chroot
 * isolation) work unprivileged-in-a-container and on CI agents without fuse-overlayfs.
 *
 * <p>Credentials never reach a command line: they go into a temporary auth file (mode 0600, deleted
 * afterwards). Secret build args are passed by name only, their values through the environment. Plain
 * HTTP is used only for registries named insecure, through a temporary registries.conf.
 */
public final class BuildahBuilder implements ImageBuilder, BuildEngine {

    public static final String NAME = "buildah";

    private static final Subprocess BUILDAH =
            new Subprocess(NAME, "install buildah (apt-get install buildah) or give its path");

    private static final Pattern VERSION = Pattern.compile("(?m)^\\s*Version:\\s*(\\S+)");

    private final String executable;
    private final String storageDriver;
    private final Path root;
    private final Path runRoot;
    private final String isolation;
    private final boolean layers;
    private final Set<String> insecureRegistries;
    private final RegistryClient registry;
    private final CredentialsSource credentials;
    private final Path workDir;
    private volatile String version;

    private BuildahBuilder(Builder b) {
        this.executable = b.executable;
        this.storageDriver = b.storageDriver;
        this.root = b.root;
        this.runRoot = b.runRoot;
        this.isolation = b.isolation;
        this.layers = b.layers;
        this.insecureRegistries = Set.copyOf(b.insecureRegistries);
        this.registry = b.registryClient;
        this.credentials = b.credentials;
        this.workDir = b.workDir;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        if (version == null) {
            Subprocess.Result r = BUILDAH.run(
                    List.of(executable, "version"), Map.of(), new LogLines(LogListener.NONE, "", List.of()), false);
            Matcher m = VERSION.matcher(r.output());
            version = r.exit() == 0 && m.find() ? m.group(1) : "unknown";
        }
        return version;
    }

    @Override
    public Platform hostPlatform() {
        return HostArchitecture.ofThisMachine();
    }

    @Override
    public String description() {
        return "the buildah builder on this machine";
    }

    @Override
    public String displayName() {
        return "buildah " + version();
    }

    @Override
    public String machineName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
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
            LogLines lines)
            throws IOException {
        if (HostArchitecture.isEmulated(request.platform(), hostPlatform())
                && !HostArchitecture.localEmulatorAvailable(request.platform())) {
            lines.line("no binfmt_misc handler for " + request.platform().architecture() + " is enabled: RUN "
                    + "steps will fail (install qemu-user-static and binfmt-support, then update-binfmts --enable)");
        }
        return BuildahSession.open(settings(), request, creds, cacheCreds, lines);
    }

    /** What a session needs of this builder, as a value: the session never calls back into the builder. */
    BuildahSettings settings() {
        return new BuildahSettings(
                command(),
                version(),
                root(),
                storageDriver(),
                isolation(),
                layers(),
                workDir(),
                insecureRegistries(),
                subprocess());
    }

    /** buildah and its global options ({@code --storage-driver}, {@code --root}, {@code --runroot}). */
    List<String> command() {
        List<String> cmd = new ArrayList<>(List.of(executable, "--storage-driver", storageDriver));
        if (root != null) {
            cmd.addAll(List.of("--root", root.toString()));
        }
        if (runRoot != null) {
            cmd.addAll(List.of("--runroot", runRoot.toString()));
        }
        return cmd;
    }

    Subprocess subprocess() {
        return BUILDAH;
    }

    String storageDriver() {
        return storageDriver;
    }

    /** buildah's {@code --root}, or null for buildah's own. */
    Path root() {
        return root;
    }

    String isolation() {
        return isolation;
    }

    boolean layers() {
        return layers;
    }

    Set<String> insecureRegistries() {
        return insecureRegistries;
    }

    Path workDir() {
        return workDir;
    }

    /** Configures buildah. */
    public static final class Builder {
        private String executable = "buildah";
        private String storageDriver = "vfs";
        private Path root;
        private Path runRoot;
        private String isolation = "chroot";
        // buildah's own default; with --layers, buildah 1.28 cannot commit on a base whose config has no history
        // and every such build ran twice (measured: +60..115% build time)
        private boolean layers = false;
        private final Set<String> insecureRegistries = new LinkedHashSet<>();
        private RegistryClient registryClient;
        private CredentialsSource credentials = CredentialsSource.none();
        private Path workDir;

        public Builder executable(String v) {
            this.executable = v;
            return this;
        }
        /** {@code vfs} (default, works everywhere), {@code overlay}, ... */
        public Builder storageDriver(String v) {
            this.storageDriver = v;
            return this;
        }
        /** buildah's {@code --root}; default: buildah's own. */
        public Builder root(Path v) {
            this.root = v;
            return this;
        }
        /** buildah's {@code --runroot}; default: buildah's own. */
        public Builder runRoot(Path v) {
            this.runRoot = v;
            return this;
        }
        /** {@code chroot} (default), {@code oci}, {@code rootless}. */
        public Builder isolation(String v) {
            this.isolation = v;
            return this;
        }
        /** Cache intermediate layers ({@code --layers}; default false, as buildah's own default). */
        public Builder layers(boolean v) {
            this.layers = v;
            return this;
        }
        /** A registry reached over plain HTTP (host[:port]); used for pulls and pushes. */
        public Builder insecureRegistry(String v) {
            insecureRegistries.add(v);
            return this;
        }

        public Builder insecureRegistries(java.util.Collection<String> v) {
            insecureRegistries.addAll(v);
            return this;
        }

        public Builder registryClient(RegistryClient v) {
            this.registryClient = v;
            return this;
        }

        public Builder credentials(CredentialsSource v) {
            this.credentials = v;
            return this;
        }
        /**
         * Where the per-build folder holding the auth file and registries.conf goes (default: the system temp
         * folder). The Jenkins plugin passes the build's private temp folder next to the workspace.
         */
        public Builder workDir(Path v) {
            this.workDir = v;
            return this;
        }

        public BuildahBuilder build() {
            if (registryClient == null) {
                throw new IllegalStateException("a RegistryClient is required to confirm pushes");
            }
            if (!Set.of("chroot", "oci", "rootless").contains(isolation)) {
                throw new InvalidInputException(
                        "buildah isolation '" + isolation + "' is unknown: use chroot, oci or rootless");
            }
            return new BuildahBuilder(this);
        }
    }
}
