package io.jenkins.plugins.multiarch.bench;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.ListFormat;
import io.jenkins.plugins.multiarch.publish.PublishRequest;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import io.jenkins.plugins.multiarch.publish.Publisher;
import io.jenkins.plugins.multiarch.publish.SourceSpec;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The publishers being compared: ours (warm in-process, cold CLI process), docker manifest, buildah manifest. */
final class Tools {

    private Tools() {}

    /** Publishes one list of {@code children} under every tag of {@code target} (a repository, no tag). */
    interface PublishTool {
        String name();

        void publish(String target, List<String> tags, List<Seed.Child> children, Seed.Layout layout);

        /** Untimed clean-up after a run (local state the tool keeps). */
        default void cleanup() {}
    }

    /** Ours, in-process, one {@link RegistryClient} for every run: what a Jenkins controller does. */
    static final class OursWarm implements PublishTool {
        private final RegistryClient client;
        private final RegistrySettings settings;
        private final boolean freshClient;

        OursWarm(String hostPort) {
            this(hostPort, null, false);
        }

        /**
         * @param caFile the registry's CA (TLS), or null for plain HTTP
         * @param freshClient a new {@link RegistryClient} for every publish, as a Jenkins step makes one (warm
         *     JIT, but the client learns the registry's authentication anew), instead of one for every run
         */
        OursWarm(String hostPort, Path caFile, boolean freshClient) {
            RegistrySettings.Builder b =
                    RegistrySettings.builder().listener(LogListener.NONE).userAgent("multiarch-bench");
            if (caFile != null) {
                b.caFile(caFile);
            } else {
                b.insecureRegistry(hostPort);
            }
            this.settings = b.build();
            this.freshClient = freshClient;
            this.client = freshClient ? null : new RegistryClient(settings);
        }

        @Override
        public String name() {
            return freshClient ? "multiarch (warm, new client per publish)" : "multiarch (warm, in-process)";
        }

        @Override
        public void publish(String target, List<String> tags, List<Seed.Child> children, Seed.Layout layout) {
            RegistryClient c = freshClient ? new RegistryClient(settings) : client;
            PublishResult r = new Publisher(c, LogListener.NONE).publish(request(target, tags, children, layout));
            if (r.children().size() != children.size()) {
                throw new IllegalStateException(
                        "published " + r.children().size() + " children, not " + children.size());
            }
        }

        static PublishRequest request(String target, List<String> tags, List<Seed.Child> children, Seed.Layout layout) {
            List<SourceSpec> sources = new ArrayList<>();
            for (Seed.Child c : children) {
                sources.add(new SourceSpec(
                        ImageReference.parse(c.ref(layout)), Platform.parse(c.platform()), "bench " + c.platform()));
            }
            return PublishRequest.builder()
                    .target(target)
                    .tags(tags)
                    .sources(sources)
                    .format(ListFormat.AUTO)
                    .build();
        }
    }

    /**
     * Ours as a fresh JVM per publish, as users run it: {@code bin/multiarch push-manifest-list ...} with
     * {@code MULTIARCH_JAR} pointing at the bench's jar (the launcher's start-up options and class-data archive
     * included), or plain {@code java -jar multiarch.jar ...} when no launcher is given.
     */
    static final class OursCli implements PublishTool {
        private final Path jar;
        private final Path launcher;
        private final String hostPort;
        private final Path caFile;

        OursCli(Path jar, Path launcher, String hostPort) {
            this(jar, launcher, hostPort, null);
        }

        /** {@code caFile}: the registry's CA (TLS, {@code --ca-file}), or null for plain HTTP. */
        OursCli(Path jar, Path launcher, String hostPort, Path caFile) {
            this.jar = jar;
            this.launcher = launcher;
            this.hostPort = hostPort;
            this.caFile = caFile;
        }

        @Override
        public String name() {
            return launcher != null ? "multiarch CLI (bin/multiarch, cold JVM)" : "multiarch CLI (java -jar, cold JVM)";
        }

        @Override
        public void publish(String target, List<String> tags, List<Seed.Child> children, Seed.Layout layout) {
            List<String> cmd = new ArrayList<>(
                    launcher != null
                            ? List.of(launcher.toString())
                            : List.of(javaExecutable(), "-jar", jar.toString()));
            cmd.addAll(List.of("push-manifest-list", "--image", target));
            cmd.addAll(
                    caFile != null
                            ? List.of("--ca-file", caFile.toString())
                            : List.of("--insecure-registry", hostPort));
            for (String t : tags) {
                cmd.add("--tag");
                cmd.add(t);
            }
            for (Seed.Child c : children) {
                cmd.add("--source");
                cmd.add(c.ref(layout) + "=" + c.platform());
            }
            Proc.run(cmd, env());
        }

        Map<String, String> env() {
            return launcher != null ? Map.of("MULTIARCH_JAR", jar.toString()) : Map.of();
        }

        /**
         * Untimed: checks that the launcher starts. Its start-up archive is recorded by the first publish of a jar
         * (that run is a warm-up in every scenario), so no measured run makes it.
         */
        void prepare() {
            if (launcher != null) {
                Proc.run(List.of(launcher.toString(), "--version"), env());
            }
        }
    }

    /**
     * {@code docker manifest create --insecure --amend LIST:TAG CHILD...} then {@code docker manifest push --insecure
     * --purge LIST:TAG}, once per tag (docker has no way to push one local list under a second name). The docker CLI
     * needs no daemon for this; it keeps lists under a private DOCKER_CONFIG.
     */
    static final class DockerManifest implements PublishTool {
        private final Map<String, String> env = new HashMap<>();
        private final Path config;
        private final List<String> pending = new ArrayList<>();

        DockerManifest(Path work) {
            this.config = work.resolve("docker-config");
            try {
                Files.createDirectories(config);
                Files.writeString(config.resolve("config.json"), "{}\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            env.put("DOCKER_CONFIG", config.toString());
            env.put("DOCKER_CLI_EXPERIMENTAL", "enabled");
        }

        @Override
        public String name() {
            return "docker manifest";
        }

        @Override
        public void publish(String target, List<String> tags, List<Seed.Child> children, Seed.Layout layout) {
            for (String tag : tags) {
                String list = target + ":" + tag;
                List<String> create =
                        new ArrayList<>(List.of("docker", "manifest", "create", "--insecure", "--amend", list));
                children.forEach(c -> create.add(c.ref(layout)));
                pending.add(list);
                Proc.run(create, env);
                Proc.run(List.of("docker", "manifest", "push", "--insecure", "--purge", list), env);
                pending.remove(list);
            }
        }

        @Override
        public void cleanup() {
            for (String list : pending) {
                Proc.tryRun(List.of("docker", "manifest", "rm", list), env);
            }
            pending.clear();
        }

        String version() {
            return Proc.tryRun(List.of("docker", "version", "--format", "{{.Client.Version}}"), env)
                    .strip();
        }
    }

    /**
     * {@code buildah manifest create LIST docker://CHILD...} (one process adds every child: buildah's cheapest form),
     * then {@code buildah manifest push --all LIST docker://TARGET:TAG1} and a plain push for each further tag (the
     * children are there by then). vfs storage in a private root; a fresh list name per run.
     */
    static final class BuildahManifest implements PublishTool {
        private final List<String> base;
        private final AtomicInteger counter = new AtomicInteger();
        private final List<String> lists = new ArrayList<>();
        private final boolean addPerChild;
        /** Empty: plain HTTP ({@code --tls-verify=false}); else SSL_CERT_FILE = the registry's CA, verified. */
        private final Map<String, String> env;

        private final String tlsVerify;

        BuildahManifest(Path work, boolean addPerChild) {
            this(work, addPerChild, null);
        }

        /** {@code caFile}: a TLS registry's CA, trusted through SSL_CERT_FILE (buildah then verifies it). */
        BuildahManifest(Path work, boolean addPerChild, Path caFile) {
            this.addPerChild = addPerChild;
            this.env = caFile == null ? Map.of() : Map.of("SSL_CERT_FILE", caFile.toString());
            this.tlsVerify = caFile == null ? "--tls-verify=false" : "--tls-verify=true";
            Path root = work.resolve(addPerChild ? "buildah-add" : "buildah");
            this.base = List.of(
                    "buildah",
                    "--storage-driver",
                    "vfs",
                    "--root",
                    root.resolve("root").toString(),
                    "--runroot",
                    root.resolve("runroot").toString());
        }

        @Override
        public String name() {
            return addPerChild ? "buildah manifest (add per child)" : "buildah manifest";
        }

        @Override
        public void publish(String target, List<String> tags, List<Seed.Child> children, Seed.Layout layout) {
            String list = "localhost/benchlist-" + ProcessHandle.current().pid() + "-" + counter.incrementAndGet();
            lists.add(list);
            if (addPerChild) {
                Proc.run(cmd("manifest", "create", list), env);
                for (Seed.Child c : children) {
                    Proc.run(cmd("manifest", "add", tlsVerify, list, "docker://" + c.ref(layout)), env);
                }
            } else {
                List<String> create = cmd("manifest", "create", tlsVerify, list);
                children.forEach(c -> create.add("docker://" + c.ref(layout)));
                Proc.run(create, env);
            }
            boolean first = true;
            for (String tag : tags) {
                List<String> push = cmd("manifest", "push", tlsVerify);
                if (first) {
                    push.add("--all");
                }
                push.add(list);
                push.add("docker://" + target + ":" + tag);
                Proc.run(push, env);
                first = false;
            }
        }

        @Override
        public void cleanup() {
            for (String list : lists) {
                Proc.tryRun(cmd("manifest", "rm", list), env);
            }
            lists.clear();
        }

        private List<String> cmd(String... args) {
            List<String> c = new ArrayList<>(base);
            c.addAll(List.of(args));
            return c;
        }
    }

    /** CPU time (user + system, ns) a process has used, from /proc/PID/stat; "self" = this JVM. */
    static long cpuOfProcess(long pid) {
        return procStatPair(String.valueOf(pid), 11);
    }

    /** CPU time (ns) of this JVM's child processes that have exited and been waited for (the peers' processes). */
    static long cpuOfReapedChildren() {
        return procStatPair("self", 13);
    }

    /**
     * Fields {@code index} and {@code index + 1} (0 = state) after the command name of one read of
     * /proc/PID/stat, summed, clock ticks (1/100 s) as ns: utime + stime, or cutime + cstime.
     */
    private static long procStatPair(String pid, int index) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[index]) + Long.parseLong(fields[index + 1])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the CPU time of process " + pid + ": " + e, e);
        }
    }

    /** The pid of the docker-registry process this JVM started (the bench runs one at a time). */
    static long registryPid() {
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().command().orElse("").endsWith("docker-registry")
                        || p.info().commandLine().orElse("").contains("docker-registry serve"))
                .mapToLong(ProcessHandle::pid)
                .max()
                .orElseThrow(() -> new IllegalStateException("no docker-registry process under this JVM"));
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs a command, output to temporary files, and fails with its output when it does not exit 0. */
    static final class Proc {
        private Proc() {}

        static String run(List<String> cmd, Map<String, String> env) {
            return run(cmd, env, Duration.ofMinutes(10), null);
        }

        static String run(List<String> cmd, Map<String, String> env, Duration timeout, Path dir) {
            Path out = null;
            Path err = null;
            try {
                out = Files.createTempFile("bench-out", ".txt");
                err = Files.createTempFile("bench-err", ".txt");
                ProcessBuilder pb = new ProcessBuilder(cmd)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                pb.environment().putAll(env);
                if (dir != null) {
                    pb.directory(dir.toFile());
                }
                Process p = pb.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("timed out: " + String.join(" ", cmd));
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("exit " + p.exitValue() + ": " + abbreviate(cmd) + "\n"
                            + tail(Files.readString(out)) + tail(Files.readString(err)));
                }
                return Files.readString(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                for (Path f : new Path[] {out, err}) {
                    if (f != null) {
                        try {
                            Files.deleteIfExists(f);
                        } catch (IOException ignored) {
                            // temp file
                        }
                    }
                }
            }
        }

        /** Output of a command, or the failure text: for versions and best-effort clean-up. */
        static String tryRun(List<String> cmd, Map<String, String> env) {
            try {
                return run(cmd, env, Duration.ofSeconds(60), null);
            } catch (RuntimeException e) {
                return "(" + e.getMessage().lines().findFirst().orElse("failed") + ")";
            }
        }

        private static String abbreviate(List<String> cmd) {
            String s = String.join(" ", cmd);
            return s.length() > 400 ? s.substring(0, 400) + " ..." : s;
        }

        private static String tail(String s) {
            return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
        }
    }
}
