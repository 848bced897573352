package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.BuildException;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.manifest.ImageConfig;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
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
public final class BuildahBuilder implements ImageBuilder {

    public static final String NAME = "buildah";

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
            Result r =
                    run(List.of(executable, "version"), Map.of(), new LogLines(LogListener.NONE, "", List.of()), false);
            Matcher m = VERSION.matcher(r.output);
            version = r.exit == 0 && m.find() ? m.group(1) : "unknown";
        }
        return version;
    }

    /** Separate storage folders let several platforms build at once; a shared store makes them wait on its lock. */
    @Override
    public boolean supportsParallelBuilds() {
        return true;
    }

    @Override
    public Platform hostPlatform() {
        return HostArchitecture.ofThisMachine();
    }

    private List<String> base() {
        List<String> cmd = new ArrayList<>(List.of(executable, "--storage-driver", storageDriver));
        if (root != null) {
            cmd.addAll(List.of("--root", root.toString()));
        }
        if (runRoot != null) {
            cmd.addAll(List.of("--runroot", runRoot.toString()));
        }
        return cmd;
    }

    @Override
    public ArchImageRecord build(BuildRequest request, LogListener listener) {
        request.checkFiles();
        Platform host = hostPlatform();
        boolean emulated = HostArchitecture.guard(request, host, "the buildah builder on this machine", listener);
        String prefix = "[" + request.platform() + "] ";
        if (emulated && !HostArchitecture.localEmulatorAvailable(request.platform())) {
            listener.warn(
                    prefix + "no binfmt_misc handler for " + request.platform().architecture() + " is enabled: RUN "
                            + "steps will fail (install qemu-user-static and binfmt-support, then update-binfmts --enable)");
        }
        String buildahVersion = version();
        List<ImageReference> refs = request.naming().references(request.image(), request.tags(), request.platform());
        Instant started = Instant.now();
        Optional<RegistryCredentials> creds = credentials.lookup(request.image().registry());
        List<String> secrets = new ArrayList<>(request.secretValues());
        creds.ifPresent(c -> secrets.add(new String(c.password())));
        LogLines lines = new LogLines(listener, prefix, secrets);

        Path work = null;
        try {
            // the auth file lives here (mode 0600) and is deleted with the folder after the build
            work = workDir == null
                    ? Files.createTempDirectory("multiarch-buildah-")
                    : Files.createTempDirectory(Files.createDirectories(workDir), "multiarch-buildah-");
            Path authFile = writeAuthFile(work, request.image(), creds);
            Path registriesConf = writeRegistriesConf(work);
            Map<String, String> env = new java.util.HashMap<>();
            env.put("CONTAINERS_REGISTRIES_CONF", registriesConf.toString());
            env.put("BUILDAH_LAYERS", String.valueOf(layers));

            List<String> bud = base();
            // --format oci whatever BUILDAH_FORMAT the agent sets: only an OCI manifest records the base
            // (org.opencontainers.image.base.digest), which the platform check needs
            bud.addAll(List.of(
                    "bud",
                    "--isolation",
                    isolation,
                    "--platform",
                    request.platform().toString(),
                    "--format",
                    "oci",
                    "-f",
                    request.dockerfile().toString(),
                    "--pull=" + (request.pull() ? "always" : "missing")));
            if (layers) {
                bud.add("--layers");
            }
            if (authFile != null) {
                bud.addAll(List.of("--authfile", authFile.toString()));
            }
            for (ImageReference ref : refs) {
                bud.addAll(List.of("-t", ref.toString()));
            }
            if (request.noCache()) {
                bud.add("--no-cache");
            }
            if (request.target() != null) {
                bud.addAll(List.of("--target", request.target()));
            }
            for (Map.Entry<String, String> label :
                    request.effectiveLabels(started).entrySet()) {
                bud.addAll(List.of("--label", label.getKey() + "=" + label.getValue()));
            }
            for (Map.Entry<String, String> arg : request.buildArgs().entrySet()) {
                if (request.secretBuildArgNames().contains(arg.getKey())) {
                    // the name alone: buildah takes the value from the environment, so ps never shows it
                    bud.addAll(List.of("--build-arg", arg.getKey()));
                    env.put(arg.getKey(), arg.getValue());
                } else {
                    bud.addAll(List.of("--build-arg", arg.getKey() + "=" + arg.getValue()));
                }
            }
            Path iid = work.resolve("iid");
            bud.addAll(List.of("--iidfile", iid.toString()));
            bud.add(request.context().toString());

            listener.info(prefix + "building " + request.context() + " for " + request.platform() + " with buildah "
                    + buildahVersion + " (" + host + ")" + (emulated ? " under emulation" : ""));
            Result built = run(bud, env, lines, true);
            if (built.exit != 0 && layers && built.output.contains("history lists")) {
                // buildah 1.28 with --layers cannot commit on top of a base whose config has no history
                // entries; the same build without the layer cache works
                lines.line("buildah's layer cache cannot use this base image (its config has no history); "
                        + "building again without --layers");
                List<String> retry = new ArrayList<>(bud);
                retry.remove("--layers");
                env.put("BUILDAH_LAYERS", "false");
                built = run(retry, env, lines, true);
            }
            if (built.exit != 0) {
                throw new BuildException(
                        "the build of " + request.context() + " for " + request.platform()
                                + " failed (buildah exit code " + built.exit + "); nothing was pushed",
                        lines.tail());
            }
            String imageId = Files.readString(iid).strip();
            listener.info(prefix + "built " + imageId);
            checkLocalImage(imageId, request.platform(), lines);

            Digest reported = null;
            for (ImageReference ref : refs) {
                Digest d = push(ref, work, authFile, env, lines);
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
                    buildahVersion,
                    hostName(),
                    request.agentName(),
                    started,
                    Instant.now(),
                    request.sourceRevision(),
                    List.copyOf(new TreeSet<>(request.buildArgs().keySet())),
                    request.naming());
        } catch (IOException e) {
            throw new BuildException(
                    "buildah could not be prepared: " + lines.mask(String.valueOf(e.getMessage()))
                            + "; check that the temporary directory is writable",
                    lines.tail(),
                    e);
        } finally {
            deleteTree(work);
        }
    }

    private Digest push(ImageReference ref, Path work, Path authFile, Map<String, String> env, LogLines lines)
            throws IOException {
        Path digestFile = work.resolve("digest");
        Files.deleteIfExists(digestFile);
        List<String> push = base();
        push.addAll(List.of("push", "--digestfile", digestFile.toString()));
        if (insecureRegistries.contains(ref.registry())) {
            push.add("--tls-verify=false");
        }
        if (authFile != null) {
            push.addAll(List.of("--authfile", authFile.toString()));
        }
        push.addAll(List.of(ref.toString(), "docker://" + ref));
        lines.line("pushing " + ref);
        Result pushed = run(push, env, lines, true);
        if (pushed.exit != 0) {
            String last =
                    lines.tail().isEmpty() ? "" : lines.tail().get(lines.tail().size() - 1);
            if (PushErrors.isAuthFailure(pushed.output)) {
                throw new RegistryAuthenticationException(
                        "the registry " + ref.registry() + " refused the push of " + ref + ": " + last
                                + "; check the credentials for " + ref.registry(),
                        401);
            }
            throw new RegistryException(
                    "the push of " + ref + " failed (buildah exit code " + pushed.exit + "): " + last
                            + "; check that the registry is reachable"
                            + (insecureRegistries.contains(ref.registry())
                                    ? ""
                                    : " and, for a plain-HTTP registry, name it insecure"));
        }
        String text = Files.exists(digestFile) ? Files.readString(digestFile).strip() : "";
        try {
            return Digest.parse(text);
        } catch (InvalidInputException e) {
            throw new RegistryException(
                    "buildah pushed " + ref + " but wrote no digest ('" + text + "') to "
                            + "--digestfile; update buildah",
                    e);
        }
    }

    /**
     * Refuses, before pushing, an image of another platform. Its config is read from buildah's store where
     * that is a folder we know (hash-checked, no process), otherwise with {@code buildah inspect}. The config
     * alone is not enough with buildah: given {@code --platform}, buildah 1.28 writes that platform into the
     * config of whatever base it got, even a base that exists only for another platform. So the base it
     * recorded (the standard {@code org.opencontainers.image.base.digest} annotation) is looked up in the
     * store and its config must name the requested platform too, variant included where both the base and
     * the request name one (arm/v6 against an arm/v7-only base). For the built image only os and
     * architecture are compared here (buildah writes the requested variant into it anyway); the registry
     * read-back after the push compares the variant as well.
     */
    private void checkLocalImage(String imageId, Platform requested, LogLines lines) {
        Optional<ContainersStorage.LocalImage> local = ContainersStorage.image(
                root != null ? List.of(root) : ContainersStorage.defaultRoots(), storageDriver, imageId);
        Optional<Platform> built = local.flatMap(l -> platformOf(l.config())).or(() -> inspectPlatform(imageId, lines));
        if (built.isPresent() && !sameOsAndArchitecture(built.get(), requested)) {
            throw new VerificationException("the image built for " + requested + " (" + imageId + ") is " + built.get()
                    + " according to its config, so it was not pushed: its base image was the wrong platform; give a "
                    + "base image that has a " + requested + " variant");
        }
        if (local.isEmpty()) {
            lines.line("the base image's platform was not checked: buildah's store is not in a folder this builder "
                    + "reads (give the builder its --root to have it checked)");
            return;
        }
        ContainersStorage.LocalImage image = local.get();
        if (image.baseDigest().isEmpty()) {
            return; // FROM scratch: no base
        }
        Digest baseDigest = image.baseDigest().get();
        String baseName = image.baseName().orElse(baseDigest.toString());
        Optional<Platform> base = ContainersStorage.configOfManifest(image.root(), storageDriver, baseDigest)
                .flatMap(BuildahBuilder::platformOf);
        if (base.isEmpty()) {
            lines.line("the platform of the base image " + baseName + " was not checked: it is not in buildah's store");
        } else if (!sameOsAndArchitecture(base.get(), requested)
                || (base.get().normalize().variant() != null
                        && requested.normalize().variant() != null
                        && !base.get().matches(requested))) {
            throw new VerificationException("the image built for " + requested + " (" + imageId + ") is built on "
                    + baseName + " (" + baseDigest + "), which is " + base.get() + " according to its config, so it "
                    + "was not pushed: that base has no " + requested + " variant and buildah used the " + base.get()
                    + " one (and wrote " + requested + " into the result's config); give a base image that has a "
                    + requested + " variant");
        }
    }

    /** The platform a config declares; empty when it declares none usable (the registry read-back still checks). */
    private static Optional<Platform> platformOf(ImageConfig config) {
        try {
            return Optional.of(config.platform());
        } catch (VerificationException | InvalidInputException unusable) {
            return Optional.empty();
        }
    }

    private static boolean sameOsAndArchitecture(Platform actual, Platform requested) {
        return actual.withVariant(null).matches(requested.withVariant(null));
    }

    private Optional<Platform> inspectPlatform(String imageId, LogLines lines) {
        List<String> inspect = base();
        inspect.addAll(
                List.of("inspect", "--type", "image", "--format", "{{.OCIv1.OS}}/{{.OCIv1.Architecture}}", imageId));
        Result r = run(inspect, Map.of(), lines, false);
        String[] parts = r.output.strip().split("/");
        if (r.exit != 0 || parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            return Optional.empty(); // the registry read-back still checks
        }
        try {
            return Optional.of(Platform.of(parts[0], parts[1]));
        } catch (InvalidInputException unusable) {
            return Optional.empty();
        }
    }

    /** {@code {"auths": {"host": {"auth": base64(user:password)}}}}, readable by the owner only. */
    private static Path writeAuthFile(Path work, ImageReference image, Optional<RegistryCredentials> creds)
            throws IOException {
        if (creds.isEmpty()) {
            return null;
        }
        Path file = work.resolve("auth.json");
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        RegistryCredentials c = creds.get();
        char[] password = c.password();
        byte[] pair = (c.username() + ":" + new String(password)).getBytes(StandardCharsets.UTF_8);
        java.util.Arrays.fill(password, '\0');
        String host = image.isDockerHub() ? "docker.io" : image.registry();
        String json = "{\"auths\":{\"" + host + "\":{\"auth\":\""
                + Base64.getEncoder().encodeToString(pair) + "\"}}}";
        java.util.Arrays.fill(pair, (byte) 0);
        Files.writeString(file, json);
        return file;
    }

    private Path writeRegistriesConf(Path work) throws IOException {
        StringBuilder conf = new StringBuilder("unqualified-search-registries = [\"docker.io\"]\n");
        for (String host : new TreeSet<>(insecureRegistries)) {
            conf.append("\n[[registry]]\nlocation = \"").append(host).append("\"\ninsecure = true\n");
        }
        Path file = work.resolve("registries.conf");
        Files.writeString(file, conf);
        return file;
    }

    private record Result(int exit, String output) {}

    /** How much of a command's output is kept for parsing and errors; the rest went to the listener only. */
    static final int OUTPUT_TAIL_CHARS = 64 * 1024;

    /** How long a stopped buildah (and what it started) gets to exit after SIGTERM before SIGKILL. */
    private static final long GRACE_MILLIS = 3_000;

    /**
     * Runs one buildah command. Its output is read on a daemon thread into the listener (a bounded tail is
     * kept), while this thread waits for the process and so stays interruptible: an interrupt (a Jenkins
     * abort) stops buildah and everything it started, then ends with a BuildException and the interrupt
     * flag set. Any other way out of here stops the process too.
     */
    private Result run(List<String> command, Map<String, String> env, LogLines lines, boolean show) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new BuildException(
                    "cannot run " + command.get(0) + " (" + e.getMessage() + "): install buildah "
                            + "(apt-get install buildah) or give its path",
                    lines.tail(),
                    e);
        }
        OutputTail out = new OutputTail(OUTPUT_TAIL_CHARS);
        Thread reader = new Thread(() -> pump(p, out, lines, show), "multiarch-buildah-output-" + p.pid());
        reader.setDaemon(true);
        reader.start();
        boolean finished = false;
        try {
            p.getOutputStream().close();
            int exit = p.waitFor();
            // the output ends when the last holder of the pipe exits; a stray child must not hang the build
            reader.join(TimeUnit.SECONDS.toMillis(10));
            finished = true;
            return new Result(exit, out.text());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            String what = command.size() > 1 ? subcommand(command) : command.get(0);
            throw new BuildException(
                    "build interrupted: buildah " + what + " was stopped (the build was aborted); "
                            + "nothing more is pushed",
                    lines.tail(),
                    e);
        } catch (IOException e) {
            throw new BuildException("cannot talk to " + command.get(0) + " (" + e.getMessage() + ")", lines.tail(), e);
        } finally {
            if (!finished) {
                stop(p);
            }
        }
    }

    /** The buildah subcommand of a command line ({@code bud}, {@code push}, ...), for messages. */
    private static String subcommand(List<String> command) {
        for (String a : List.of("bud", "push", "inspect", "version")) {
            if (command.contains(a)) {
                return a;
            }
        }
        return command.get(0);
    }

    private static void pump(Process p, OutputTail out, LogLines lines, boolean show) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String masked = lines.mask(line);
                out.append(masked);
                if (show) {
                    lines.accept(masked + "\n");
                }
            }
        } catch (IOException e) {
            // the process was stopped and its pipe closed: nothing more to read
        }
    }

    /**
     * Stops buildah and every process it started (the RUN step's processes are its descendants; once buildah
     * is gone they would be re-parented and out of reach, so they are collected first): SIGTERM so buildah
     * can release its storage lock, then SIGKILL for whatever is left after a short grace.
     */
    static void stop(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
        boolean interrupted = Thread.interrupted();
        try {
            for (ProcessHandle h : tree) {
                long left = deadline - System.nanoTime();
                if (left > 0 && h.isAlive()) {
                    try {
                        h.onExit().get(left, TimeUnit.NANOSECONDS);
                    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                        break;
                    }
                }
            }
            // children started during the grace period are descendants of survivors
            List<ProcessHandle> left = new ArrayList<>(tree);
            for (ProcessHandle h : tree) {
                if (h.isAlive()) {
                    left.addAll(h.descendants().toList());
                }
            }
            left.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The last {@code max} characters of a command's output, whole lines where possible. */
    static final class OutputTail {
        private final int max;
        private final StringBuilder text = new StringBuilder();

        OutputTail(int max) {
            this.max = max;
        }

        synchronized void append(String line) {
            text.append(line).append('\n');
            if (text.length() > max) {
                int cut = text.length() - max;
                int nl = text.indexOf("\n", cut);
                text.delete(0, nl >= 0 && nl < text.length() - 1 ? nl + 1 : cut);
            }
        }

        synchronized String text() {
            return text.toString();
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: the folder is under the temporary directory
                }
            });
        } catch (IOException e) {
            // best effort
        }
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
