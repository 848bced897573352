package io.jenkins.plugins.multiarch.bench;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.bench.AccessLog.Traffic;
import io.jenkins.plugins.multiarch.bench.Tools.Proc;
import io.jenkins.plugins.multiarch.builder.BuildRequest;
import io.jenkins.plugins.multiarch.builder.BuildahBuilder;
import io.jenkins.plugins.multiarch.builder.DockerEngineBuilder;
import io.jenkins.plugins.multiarch.builder.ImageBuilder;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.RecordStore;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.BaseImages;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Scenario 3, build overhead: our {@link DockerEngineBuilder} and {@link BuildahBuilder} (build + push + registry
 * confirmation + record written) against the same engine driven by its own CLI, {@code docker build --pull &&
 * docker push} given the OCI label ours sets by default ({@code org.opencontainers.image.created}: the same work, the
 * primary figure), plain {@code docker build --pull && docker push} (secondary: the classic builder commits one
 * extra LABEL step for build labels), and {@code buildah bud --pull=always --label ... && buildah push} (chroot
 * isolation, vfs, no layer cache, as ours). Each run changes one small file of the context, so every run really
 * builds and uploads a new layer (no cache hit, no "layer already exists"), as a CI build of a new commit does.
 * Contexts: small (a few files) and large (about 200 MB in 2,000 files, a .dockerignore excluding half of it).
 */
final class BuildBench {

    private static final String PLATFORM = "linux/amd64";

    private final Bench.Options options;
    private final Path work;

    BuildBench(Bench.Options options, Path work) {
        this.options = options;
        this.work = work;
    }

    /** One way of building and pushing: ours or the engine's own CLI. */
    private interface Way {
        String name();

        void build(Path context, String repo, String tag);
    }

    void run() throws IOException {
        System.out.println(
                "## 3. Build overhead (build + push + record, linux/amd64, base image from the local registry)");
        System.out.println();
        List<String> missing = new ArrayList<>();
        for (Components.Component c : List.of(
                Components.Component.DOCKERD,
                Components.Component.DOCKER_CLI,
                Components.Component.BUILDAH,
                Components.Component.BUSYBOX)) {
            Components.problem(c).ifPresent(p -> missing.add(c + ": " + p));
        }
        boolean docker = Components.isAvailable(Components.Component.DOCKERD)
                && Components.isAvailable(Components.Component.DOCKER_CLI);
        boolean buildah = Components.isAvailable(Components.Component.BUILDAH);
        if (!Components.isAvailable(Components.Component.BUSYBOX) || (!docker && !buildah)) {
            System.out.println("Skipped: " + missing + " (run scripts/test-services.sh start, then "
                    + "eval \"$(scripts/test-services.sh env)\")");
            System.out.println();
            return;
        }
        try (RegistryServer registry = RegistryServer.plain()) {
            AccessLog log = new AccessLog(registry.logFile());
            BaseImages.Base base = BaseImages.push(registry);
            Path small = smallContext(base.reference());
            Map<String, Path> contexts = new LinkedHashMap<>();
            contexts.put("small (4 files, 8 KiB)", small);
            if (!options.quick) {
                contexts.put(
                        "large (2,000 files, 200 MB, half excluded by .dockerignore)", largeContext(base.reference()));
            }
            RegistryClient client = new RegistryClient(RegistrySettings.builder()
                    .insecureRegistry(registry.hostPort())
                    .listener(LogListener.NONE)
                    .userAgent("multiarch-bench")
                    .build());
            Path records = Files.createDirectories(work.resolve("records"));
            Map<String, String> dockerEnv = new HashMap<>(Components.dockerEnv());
            dockerEnv.put(
                    "DOCKER_CONFIG",
                    Files.createDirectories(work.resolve("build-docker-config")).toString());
            Path buildahRoot = work.resolve("buildah-build");
            List<String> buildahBase = List.of(
                    "buildah",
                    "--storage-driver",
                    "vfs",
                    "--root",
                    buildahRoot.resolve("root").toString(),
                    "--runroot",
                    buildahRoot.resolve("runroot").toString());

            List<List<Way>> pairs = new ArrayList<>();
            if (docker) {
                DockerEngineBuilder ours = DockerEngineBuilder.builder()
                        .dockerHost(Components.dockerHost())
                        .registryClient(client)
                        .credentials(CredentialsSource.none())
                        .build();
                pairs.add(List.of(
                        ourWay("multiarch DockerEngineBuilder", ours, registry, records),
                        dockerCli(registry, dockerEnv, true),
                        dockerCli(registry, dockerEnv, false)));
            }
            if (buildah) {
                BuildahBuilder ours = BuildahBuilder.builder()
                        .storageDriver("vfs")
                        .root(buildahRoot.resolve("root"))
                        .runRoot(buildahRoot.resolve("runroot"))
                        .isolation("chroot")
                        .insecureRegistry(registry.hostPort())
                        .registryClient(client)
                        .credentials(CredentialsSource.none())
                        .build();
                pairs.add(List.of(
                        ourWay("multiarch BuildahBuilder", ours, registry, records),
                        buildahCli(registry, buildahBase)));
            }
            System.out.println(
                    "Median wall time in ms (min-max); overhead = ours / the engine's CLI - 1 (target: at most "
                            + "5%). Requests = registry requests per build (pull of the base, push, our confirmation).");
            System.out.println();
            System.out.println(
                    "| context | engine CLI | ours ms | engine CLI ms | overhead | ours requests | CLI requests |");
            System.out.println("|---|---|---:|---:|---:|---:|---:|");
            int reps = options.quick ? 1 : Math.max(3, options.reps / 3);
            int counter = 0;
            for (Map.Entry<String, Path> ctx : contexts.entrySet()) {
                // large: 6 in a full run (its run-to-run spread, vfs copying 100 MB, is several percent)
                int ctxReps = ctx.getKey().startsWith("large") ? reps + 3 : reps + 2;
                for (List<Way> pair : pairs) {
                    System.err.printf(
                            Locale.ROOT,
                            "[bench] build %s: %s vs %s, %d reps%n",
                            ctx.getKey(),
                            pair.get(0).name(),
                            pair.get(1).name(),
                            ctxReps);
                    Map<String, List<Bench.Sample>> samples = new LinkedHashMap<>();
                    for (int rep = -1; rep < ctxReps; rep++) { // rep -1: warm-up (engine caches the base)
                        for (int i = 0; i < pair.size(); i++) {
                            Way way = pair.get((i + Math.max(rep, 0)) % pair.size());
                            touch(ctx.getValue(), ++counter);
                            String repo = "bench/build-" + (way.name().startsWith("multiarch") ? "ours" : "cli");
                            long mark = log.mark();
                            long t0 = System.nanoTime();
                            way.build(ctx.getValue(), registry.ref(repo), "r" + counter);
                            long nanos = System.nanoTime() - t0;
                            Traffic t = Traffic.of(log.since(mark), Map.of(), java.util.Set.of());
                            if (rep >= 0) {
                                samples.computeIfAbsent(way.name(), k -> new ArrayList<>())
                                        .add(new Bench.Sample(nanos, t));
                            }
                        }
                    }
                    List<Bench.Sample> o = samples.get(pair.get(0).name());
                    for (Way peer : pair.subList(1, pair.size())) {
                        List<Bench.Sample> p = samples.get(peer.name());
                        System.out.printf(
                                Locale.ROOT,
                                "| %s | %s | %s | %s | %+.1f%% | %s | %s |%n",
                                ctx.getKey(),
                                peer.name(),
                                Bench.fmtMs(o),
                                Bench.fmtMs(p),
                                (Bench.medianMs(o) / Bench.medianMs(p) - 1) * 100,
                                Bench.range(o, Traffic::requests),
                                Bench.range(p, Traffic::requests));
                    }
                }
            }
            System.out.println();
        }
    }

    private static Way ourWay(String name, ImageBuilder builder, RegistryServer registry, Path records) {
        return new Way() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void build(Path context, String repo, String tag) {
                BuildRequest request = BuildRequest.builder()
                        .context(context)
                        .platform(PLATFORM)
                        .image(repo)
                        .tag(tag)
                        .naming(Naming.DIGEST)
                        .pull(true)
                        .build();
                ArchImageRecord record = builder.build(request, LogListener.NONE);
                RecordStore.write(records, record);
            }
        };
    }

    /**
     * The docker CLI; {@code labelled}: with the same OCI label ours sets by default
     * ({@code org.opencontainers.image.created}), which the classic builder applies as one more step.
     */
    private static Way dockerCli(RegistryServer registry, Map<String, String> env, boolean labelled) {
        return new Way() {
            @Override
            public String name() {
                return labelled
                        ? "docker build --pull --label created=... && docker push (same work)"
                        : "docker build --pull && docker push (no label: one LABEL step less)";
            }

            @Override
            public void build(Path context, String repo, String tag) {
                String ref = repo + ":" + tag;
                List<String> build =
                        new ArrayList<>(List.of("docker", "build", "--pull", "--platform", PLATFORM, "-t", ref));
                if (labelled) {
                    build.addAll(List.of(
                            "--label",
                            BuildRequest.LABEL_CREATED + "="
                                    + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
                }
                build.add(context.toString());
                Proc.run(build, env, Duration.ofMinutes(20), null);
                Proc.run(List.of("docker", "push", ref), env, Duration.ofMinutes(20), null);
            }
        };
    }

    private static Way buildahCli(RegistryServer registry, List<String> base) {
        return new Way() {
            @Override
            public String name() {
                return "buildah bud --label created=... && buildah push (same work)";
            }

            @Override
            public void build(Path context, String repo, String tag) {
                String ref = repo + ":" + tag;
                List<String> bud = new ArrayList<>(base);
                bud.addAll(List.of(
                        "bud",
                        "--isolation",
                        "chroot",
                        "--platform",
                        PLATFORM,
                        "--pull=always",
                        "--tls-verify=false",
                        "--label",
                        BuildRequest.LABEL_CREATED + "="
                                + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                        "-t",
                        ref,
                        context.toString()));
                Proc.run(bud, Map.of(), Duration.ofMinutes(20), null);
                List<String> push = new ArrayList<>(base);
                push.addAll(List.of("push", "--tls-verify=false", ref, "docker://" + ref));
                Proc.run(push, Map.of(), Duration.ofMinutes(20), null);
            }
        };
    }

    // ---- contexts --------------------------------------------------------------------------------------------------

    private Path smallContext(String baseRef) throws IOException {
        Path ctx = Files.createDirectories(work.resolve("ctx-small"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + baseRef + "\nCOPY app /app\nCMD [\"/bin/sh\"]\n");
        Path app = Files.createDirectories(ctx.resolve("app"));
        Files.write(app.resolve("data.bin"), random(1, 8 * 1024));
        Files.writeString(app.resolve("run.sh"), "#!/bin/sh\necho hello\n");
        return ctx;
    }

    private Path largeContext(String baseRef) throws IOException {
        return largeContext(work, baseRef);
    }

    /** 2,000 files of 100 KiB (random: incompressible) in 20 folders; .dockerignore drops the odd folders. */
    static Path largeContext(Path work, String baseRef) throws IOException {
        Path ctx = Files.createDirectories(work.resolve("ctx-large"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + baseRef + "\nCOPY app /app\nCMD [\"/bin/sh\"]\n");
        StringBuilder ignore = new StringBuilder();
        Random r = new Random(42);
        byte[] buf = new byte[100 * 1024];
        for (int d = 0; d < 20; d++) {
            Path dir = Files.createDirectories(ctx.resolve("app").resolve(String.format(Locale.ROOT, "d%02d", d)));
            if (d % 2 == 1) {
                ignore.append("app/").append(dir.getFileName()).append('\n');
            }
            for (int f = 0; f < 100; f++) {
                r.nextBytes(buf);
                try (OutputStream out = Files.newOutputStream(dir.resolve("f" + f + ".bin"))) {
                    out.write(buf);
                }
            }
        }
        Files.writeString(ctx.resolve(".dockerignore"), ignore.toString());
        return ctx;
    }

    /** A new small file per run: every build makes and uploads a new layer. */
    private static void touch(Path ctx, int run) {
        try {
            Files.writeString(ctx.resolve("app").resolve("run-id.txt"), "run " + run + " " + System.nanoTime() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
