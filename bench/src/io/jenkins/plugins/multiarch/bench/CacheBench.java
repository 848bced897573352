package io.jenkins.plugins.multiarch.bench;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.bench.AccessLog.Traffic;
import io.jenkins.plugins.multiarch.bench.Tools.Proc;
import io.jenkins.plugins.multiarch.builder.BuildCache;
import io.jenkins.plugins.multiarch.builder.BuildRequest;
import io.jenkins.plugins.multiarch.builder.BuildahBuilder;
import io.jenkins.plugins.multiarch.builder.DockerEngineBuilder;
import io.jenkins.plugins.multiarch.builder.ImageBuilder;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Scenario "cache", the cached rebuild of a new commit on a fresh agent: a Dockerfile with a slow dependency step
 * (a RUN of 2 s) and an application COPY that changes every run. Each run starts from an empty engine store (the
 * Docker Engine's images of the registry removed; buildah a new {@code --root}), so what is reused comes from the
 * registry cache only. Ours ({@code BuildCache}: {@code REPO:buildcache-amd64} for docker, {@code
 * REPO-buildcache-amd64} for buildah) against the engine's CLI given the same cache flags: {@code docker pull CACHE;
 * docker build --cache-from CACHE && docker push && docker tag/push CACHE}, and {@code buildah bud --layers
 * --cache-from R --cache-to R && buildah push}. The first build of each (the cache still empty: what a rebuild
 * costs without it) is shown too.
 */
final class CacheBench {

    private static final String PLATFORM = "linux/amd64";
    private static final int SLOW_STEP_SECONDS = 2;

    private final Bench.Options options;
    private final Path work;
    private int runs;

    CacheBench(Bench.Options options, Path work) {
        this.options = options;
        this.work = work;
    }

    /** One way of building with a cache: ours or the engine's CLI; {@link #fresh} empties the engine's store. */
    private interface Way {
        String name();

        void fresh();

        void build(Path context, String ref, String cache);
    }

    void run() throws IOException {
        System.out.println("## Cached rebuild (linux/amd64, fresh engine store, cache in the registry)");
        System.out.println();
        boolean docker = Components.isAvailable(Components.Component.DOCKERD)
                && Components.isAvailable(Components.Component.DOCKER_CLI);
        boolean buildah = Components.isAvailable(Components.Component.BUILDAH);
        if (!Components.isAvailable(Components.Component.BUSYBOX) || (!docker && !buildah)) {
            System.out.println("Skipped: needs busybox and dockerd or buildah (scripts/test-services.sh start)");
            System.out.println();
            return;
        }
        try (RegistryServer registry = RegistryServer.plain()) {
            AccessLog log = new AccessLog(registry.logFile());
            Path ctx = context();
            RegistryClient client = new RegistryClient(RegistrySettings.builder()
                    .insecureRegistry(registry.hostPort())
                    .listener(LogListener.NONE)
                    .userAgent("multiarch-bench")
                    .build());
            Map<String, String> dockerEnv = new HashMap<>(Components.dockerEnv());
            dockerEnv.put(
                    "DOCKER_CONFIG",
                    Files.createDirectories(work.resolve("cache-docker-config")).toString());
            List<List<Way>> pairs = new ArrayList<>();
            DockerEngineBuilder ours = null;
            if (docker) {
                ours = DockerEngineBuilder.builder()
                        .dockerHost(Components.dockerHost())
                        .registryClient(client)
                        .credentials(CredentialsSource.none())
                        .build();
                Runnable forget = () -> forgetDockerImages(registry, dockerEnv);
                pairs.add(List.of(ourWay("ours, docker", ours, forget), dockerCli(dockerEnv, forget)));
            }
            if (buildah) {
                Path roots = Files.createDirectories(work.resolve("cache-buildah"));
                Supplier<Path> root = () -> roots.resolve("root-" + (++runs));
                BuildahStore store = new BuildahStore(root);
                Supplier<ImageBuilder> fresh = () -> BuildahBuilder.builder()
                        .storageDriver("vfs")
                        .root(store.current())
                        .runRoot(store.current().resolveSibling(store.current().getFileName() + "-run"))
                        .isolation("chroot")
                        .insecureRegistry(registry.hostPort())
                        .registryClient(client)
                        .credentials(CredentialsSource.none())
                        .build();
                pairs.add(List.of(ourBuildah(fresh, store), buildahCli(store)));
            }
            System.out.println("Median wall time in ms (min-max) of a rebuild after a one-line change of the "
                    + "application, on an empty engine store; the " + SLOW_STEP_SECONDS + " s dependency step comes "
                    + "from the registry cache. overhead = ours / the engine's CLI with the same cache flags - 1. "
                    + "Requests = registry requests per rebuild.");
            System.out.println();
            System.out.println("| engine CLI | ours first build | CLI first build | ours cached rebuild "
                    + "| CLI cached rebuild | overhead | ours requests | CLI requests |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
            int reps = options.quick ? 3 : Math.max(5, options.reps / 2);
            try {
                for (List<Way> pair : pairs) {
                    System.err.printf(
                            Locale.ROOT,
                            "[bench] cache: %s vs %s, %d reps%n",
                            pair.get(0).name(),
                            pair.get(1).name(),
                            reps);
                    Map<String, Long> first = new LinkedHashMap<>();
                    Map<String, List<Bench.Sample>> samples = new LinkedHashMap<>();
                    for (int rep = -1; rep < reps; rep++) { // rep -1: the first build, which fills the cache
                        for (int i = 0; i < pair.size(); i++) {
                            Way way = pair.get((i + Math.max(rep, 0)) % pair.size());
                            String slug = way.name().startsWith("ours") ? "ours" : "cli";
                            String repo = registry.ref("bench/cache-" + slug);
                            touch(ctx);
                            way.fresh();
                            long mark = log.mark();
                            long t0 = System.nanoTime();
                            way.build(ctx, repo + ":r" + (++runs), repo + "-cache");
                            long nanos = System.nanoTime() - t0;
                            if (rep < 0) {
                                first.put(way.name(), nanos);
                            } else {
                                Traffic t = Traffic.of(log.since(mark), Map.of(), java.util.Set.of());
                                samples.computeIfAbsent(way.name(), k -> new ArrayList<>())
                                        .add(new Bench.Sample(nanos, t));
                            }
                        }
                    }
                    List<Bench.Sample> o = samples.get(pair.get(0).name());
                    List<Bench.Sample> p = samples.get(pair.get(1).name());
                    System.out.printf(
                            Locale.ROOT,
                            "| %s | %d | %d | %s | %s | %+.1f%% | %s | %s |%n",
                            pair.get(1).name(),
                            first.get(pair.get(0).name()) / 1_000_000,
                            first.get(pair.get(1).name()) / 1_000_000,
                            Bench.fmtMs(o),
                            Bench.fmtMs(p),
                            (Bench.medianMs(o) / Bench.medianMs(p) - 1) * 100,
                            Bench.range(o, Traffic::requests),
                            Bench.range(p, Traffic::requests));
                }
            } finally {
                if (ours != null) {
                    ours.close();
                }
            }
            System.out.println();
        }
    }

    /** The buildah store of the current run: a new folder per run, the previous one deleted. */
    private static final class BuildahStore {
        private final Supplier<Path> next;
        private Path current;

        BuildahStore(Supplier<Path> next) {
            this.next = next;
        }

        void fresh() {
            if (current != null) {
                // vfs leaves read-only files; best effort, outside the timed part
                Proc.tryRun(List.of("rm", "-rf", current.toString(), current + "-run"), Map.of());
            }
            current = next.get();
        }

        Path current() {
            return current;
        }

        List<String> command() {
            return List.of(
                    "buildah",
                    "--storage-driver",
                    "vfs",
                    "--root",
                    current.toString(),
                    "--runroot",
                    current.resolveSibling(current.getFileName() + "-run").toString());
        }
    }

    private static Way ourWay(String name, ImageBuilder builder, Runnable forget) {
        return new Way() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void fresh() {
                forget.run();
            }

            @Override
            public void build(Path context, String ref, String cache) {
                builder.build(request(context, ref, cache), LogListener.NONE);
            }
        };
    }

    private static Way ourBuildah(Supplier<ImageBuilder> fresh, BuildahStore store) {
        return new Way() {
            @Override
            public String name() {
                return "ours, buildah";
            }

            @Override
            public void fresh() {
                store.fresh();
            }

            @Override
            public void build(Path context, String ref, String cache) {
                fresh.get().build(request(context, ref, cache), LogListener.NONE);
            }
        };
    }

    private static BuildRequest request(Path context, String ref, String cache) {
        int colon = ref.lastIndexOf(':');
        return BuildRequest.builder()
                .context(context)
                .platform(PLATFORM)
                .image(ref.substring(0, colon))
                .tag(ref.substring(colon + 1))
                .cache(BuildCache.parse(cache))
                .build();
    }

    /** docker pull CACHE (a miss is fine); docker build --cache-from CACHE; push; tag and push CACHE. */
    private static Way dockerCli(Map<String, String> env, Runnable forget) {
        return new Way() {
            @Override
            public String name() {
                return "docker build --cache-from (pull, build, push, push cache)";
            }

            @Override
            public void fresh() {
                forget.run();
            }

            @Override
            public void build(Path context, String ref, String cache) {
                String cacheRef = BuildCache.parse(cache)
                        .imageFor(Platform.parse(PLATFORM))
                        .toString();
                Proc.tryRun(List.of("docker", "pull", "--platform", PLATFORM, cacheRef), env);
                Proc.run(
                        List.of(
                                "docker",
                                "build",
                                "--pull",
                                "--platform",
                                PLATFORM,
                                "--cache-from",
                                cacheRef,
                                "--label",
                                BuildRequest.LABEL_CREATED + "=" + Instant.now().truncatedTo(ChronoUnit.SECONDS),
                                "-t",
                                ref,
                                context.toString()),
                        env,
                        Duration.ofMinutes(20),
                        null);
                Proc.run(List.of("docker", "push", ref), env, Duration.ofMinutes(20), null);
                Proc.run(List.of("docker", "tag", ref, cacheRef), env);
                Proc.run(List.of("docker", "push", cacheRef), env, Duration.ofMinutes(20), null);
            }
        };
    }

    /** buildah bud --layers --cache-from R --cache-to R; buildah push. */
    private static Way buildahCli(BuildahStore store) {
        return new Way() {
            @Override
            public String name() {
                return "buildah bud --layers --cache-from/--cache-to && buildah push";
            }

            @Override
            public void fresh() {
                store.fresh();
            }

            @Override
            public void build(Path context, String ref, String cache) {
                String repo = BuildCache.parse(cache)
                        .repositoryFor(Platform.parse(PLATFORM))
                        .toString();
                List<String> bud = new ArrayList<>(store.command());
                bud.addAll(List.of(
                        "bud",
                        "--isolation",
                        "chroot",
                        "--platform",
                        PLATFORM,
                        "--tls-verify=false",
                        "--layers",
                        "--cache-from",
                        repo,
                        "--cache-to",
                        repo,
                        "--label",
                        BuildRequest.LABEL_CREATED + "=" + Instant.now().truncatedTo(ChronoUnit.SECONDS),
                        "-t",
                        ref,
                        context.toString()));
                Proc.run(bud, Map.of(), Duration.ofMinutes(20), null);
                List<String> push = new ArrayList<>(store.command());
                push.addAll(List.of("push", "--tls-verify=false", ref, "docker://" + ref));
                Proc.run(push, Map.of(), Duration.ofMinutes(20), null);
            }
        };
    }

    /** Removes the Docker Engine's images of the bench registry (a fresh agent's store). */
    private static void forgetDockerImages(RegistryServer registry, Map<String, String> env) {
        String prefix = registry.hostPort() + "/";
        List<String> rmi = new ArrayList<>(List.of("docker", "rmi", "-f"));
        for (String line : Proc.run(List.of("docker", "images", "--format", "{{.Repository}} {{.ID}}"), env)
                .lines()
                .toList()) {
            if (line.startsWith(prefix)) {
                String id = line.substring(line.indexOf(' ') + 1);
                if (!rmi.contains(id)) {
                    rmi.add(id);
                }
            }
        }
        if (rmi.size() > 3) {
            Proc.run(rmi, env);
        }
    }

    /** busybox FROM scratch, a slow dependency step, then the application. */
    private Path context() throws IOException {
        Path ctx = Files.createDirectories(work.resolve("ctx-cache"));
        Path bin = Files.createDirectories(ctx.resolve("rootfs/bin"));
        Files.copy(Components.busyboxAmd64(), bin.resolve("busybox"));
        bin.resolve("busybox").toFile().setExecutable(true, false);
        for (String link : List.of("sh", "sleep", "echo")) {
            Files.createSymbolicLink(bin.resolve(link), Path.of("busybox"));
        }
        Files.createDirectories(ctx.resolve("rootfs/tmp"));
        Files.createDirectories(ctx.resolve("app"));
        Files.writeString(
                ctx.resolve("Dockerfile"),
                "FROM scratch\nCOPY rootfs/ /\nRUN sleep " + SLOW_STEP_SECONDS + " && echo deps > /deps\n"
                        + "COPY app /app\n");
        return ctx;
    }

    /** The application's one-line change of a new commit. */
    private static void touch(Path ctx) {
        try {
            Files.writeString(ctx.resolve("app/commit.txt"), "commit " + System.nanoTime() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
