package io.jenkins.plugins.multiarch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.bench.AccessLog.Traffic;
import io.jenkins.plugins.multiarch.bench.Tools.Proc;
import io.jenkins.plugins.multiarch.bench.Tools.PublishTool;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * The benchmark: publish latency (1), requests and bytes (2), build overhead (3, {@link BuildBench}), scale (4)
 * and memory (5), ours against {@code docker manifest} and {@code buildah manifest} on one local registry.
 * Every figure is the median of repeated runs; within each repetition the tools take turns (the order rotates),
 * so machine noise hits every tool alike and cancels in the ratios. Prints Markdown tables.
 *
 * <p>Options: {@code --quick} (one warm-up, 3 repetitions, 2 and 8 children, build scenario on the small context
 * only), {@code --reps N}, {@code --only publish,scale,memory,cpu,build,cache}, {@code --cli-jar PATH} (the CLI's jar),
 * {@code --cli-launcher PATH} ({@code bin/multiarch}: the cold-CLI column runs it with {@code MULTIARCH_JAR} = the jar).
 */
public final class Bench {

    static final ObjectMapper JSON = new ObjectMapper();

    /** What to run. */
    static final class Options {
        boolean quick;
        int reps = 9;
        int warmups = 2;
        Set<String> only = new LinkedHashSet<>(
                List.of("publish", "scale", "memory", "cpu", "build", "cache", "wan", "concurrency", "cold"));
        Path cliJar;
        Path cliLauncher;
        String command = "bench/run";
        /** The WAN scenario's numbers of children; empty: 2 and 8 (quick) or 2, 8 and 32. */
        List<Integer> children = List.of();

        static Options parse(String[] args) {
            Options o = new Options();
            boolean repsGiven = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> o.quick = true;
                    case "--reps" -> {
                        o.reps = Integer.parseInt(args[++i]);
                        repsGiven = true;
                    }
                    case "--only" -> o.only = new LinkedHashSet<>(Arrays.asList(args[++i].split(",")));
                    case "--cli-jar" -> o.cliJar = Path.of(args[++i]);
                    case "--cli-launcher" -> o.cliLauncher = Path.of(args[++i]);
                    case "--command" -> o.command = args[++i];
                    case "--children" ->
                        o.children = Arrays.stream(args[++i].split(","))
                                .map(Integer::valueOf)
                                .toList();
                    default ->
                        throw new IllegalArgumentException("unknown option " + args[i]
                                + " (use --quick, --reps N, --only publish,scale,memory,cpu,build,cache,wan,concurrency,cold, --children 2,8,32,"
                                + " --cli-jar PATH, --cli-launcher PATH)");
                }
            }
            if (o.quick) {
                o.warmups = 1;
                if (!repsGiven) {
                    o.reps = 3;
                }
            }
            return o;
        }
    }

    /** One measured publish. */
    record Sample(long nanos, Traffic traffic) {}

    /** One table cell: a tool at a layout and a number of children. */
    record Cell(Seed.Layout layout, int children, String tool) {}

    private final Options options;
    private final Path work;
    private final Map<Cell, List<Sample>> results = new LinkedHashMap<>();
    private int runCounter;

    private Bench(Options options, Path work) {
        this.options = options;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Path work = Files.createTempDirectory("multiarch-bench-");
        try {
            new Bench(options, work).run();
        } finally {
            // buildah's vfs storage holds read-only files; best effort
            Proc.tryRun(List.of("rm", "-rf", work.toString()), Map.of());
        }
    }

    private void run() throws Exception {
        header();
        boolean publishLike = options.only.contains("publish")
                || options.only.contains("scale")
                || options.only.contains("memory")
                || options.only.contains("cpu");
        if (publishLike) {
            try (RegistryServer registry = RegistryServer.plain()) {
                publishScenarios(registry);
            }
        }
        if (options.only.contains("build")) {
            new BuildBench(options, work).run();
        }
        if (options.only.contains("cache")) {
            new CacheBench(options, work).run();
        }
        if (options.only.contains("wan")) {
            new WanBench(options, work).run();
        }
        if (options.only.contains("concurrency")) {
            new ConcurrencyBench(options, work).run();
        }
        if (options.only.contains("cold")) {
            new ColdBench(options, work).run();
        }
    }

    private void header() {
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        System.out.println("# multiarch benchmark" + (options.quick ? " (quick smoke run)" : ""));
        System.out.println();
        System.out.println("- date: " + date);
        System.out.println("- command: `" + options.command + "`");
        System.out.println(
                "- machine: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                        + System.getProperty("os.name") + " " + System.getProperty("os.version"));
        System.out.println(
                "- JDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        System.out.println("- registry: " + firstLine(Proc.tryRun(List.of("docker-registry", "--version"), Map.of())));
        System.out.println("- docker CLI: " + firstLine(Proc.tryRun(List.of("docker", "--version"), Map.of())));
        System.out.println("- buildah: " + firstLine(Proc.tryRun(List.of("buildah", "--version"), Map.of())));
        System.out.println("- repetitions: " + options.reps + " measured (+" + options.warmups
                + " warm-up) per cell, tools alternating; figures are medians");
        System.out.println();
    }

    // ---- scenarios 1, 2, 4, 5 --------------------------------------------------------------------------------------

    private void publishScenarios(RegistryServer registry) throws IOException {
        Path logFile = registry.logFile();
        AccessLog log = new AccessLog(logFile);
        List<Integer> sizes = options.quick ? List.of(2, 8) : List.of(2, 8, 32);
        if (!options.only.contains("scale")) {
            sizes = List.of(2, 8);
        }
        int maxN = Math.max(Math.max(sizes.get(sizes.size() - 1), options.only.contains("memory") ? 32 : 0), 8);
        long t0 = System.nanoTime();
        Seed seed = new Seed(registry, maxN);
        System.err.printf(
                Locale.ROOT,
                "[bench] seeded %d children x 2 layouts in %d ms%n",
                maxN,
                (System.nanoTime() - t0) / 1_000_000);

        List<PublishTool> tools = new ArrayList<>();
        Tools.OursWarm warm = new Tools.OursWarm(registry.hostPort());
        tools.add(warm);
        if (options.cliJar != null && Files.isRegularFile(options.cliJar)) {
            Tools.OursCli cli = new Tools.OursCli(
                    options.cliJar,
                    options.cliLauncher != null && Files.isExecutable(options.cliLauncher) ? options.cliLauncher : null,
                    registry.hostPort());
            cli.prepare();
            tools.add(cli);
        } else {
            System.err.println("[bench] no CLI jar (" + options.cliJar + "): the cold-CLI column is left out");
        }
        if (Tools.Proc.tryRun(List.of("docker", "manifest", "--help"), Map.of()).contains("create")) {
            tools.add(new Tools.DockerManifest(work));
        } else {
            System.err.println("[bench] docker CLI with 'manifest' not found: docker column left out");
        }
        if (!Tools.Proc.tryRun(List.of("buildah", "--version"), Map.of()).startsWith("(")) {
            tools.add(new Tools.BuildahManifest(work, false));
        } else {
            System.err.println("[bench] buildah not found: buildah column left out");
        }
        if (options.only.contains("publish") || options.only.contains("scale")) {
            // A Jenkins controller is a long-running JVM: warm ours up before measuring it. 300 publishes, not
            // fewer: scenario 6 shows the JIT compilers taking 25-31 ms per publish (about two thirds of our CPU)
            // over publishes 26-100 and 10-17 ms after that; on 2 cores that compiling competes with the registry.
            int jit = options.quick ? 3 : 300;
            for (int i = 0; i < jit; i++) {
                runOnce(registry, log, seed, warm, Seed.Layout.SAME_REPO, 8);
            }
            for (Seed.Layout layout : Seed.Layout.values()) {
                for (int n : sizes) {
                    measure(registry, log, seed, tools, layout, n);
                    if (n <= 8) {
                        measureRepublish(registry, log, seed, warm, layout, n);
                    }
                }
            }
            // Also the per-child form buildah users usually script, once, at 8 children, for reference.
            if (tools.stream().anyMatch(t -> t instanceof Tools.BuildahManifest)) {
                measure(
                        registry,
                        log,
                        seed,
                        List.of(warm, new Tools.BuildahManifest(work, true)),
                        Seed.Layout.PER_ARCH,
                        8);
            }
        }
        if (options.only.contains("publish")) {
            latencyTable(tools, List.of(2, 8));
            trafficTable(tools, List.of(2, 8), seed);
        }
        if (options.only.contains("scale") && sizes.contains(32)) {
            scaleTable(tools, sizes);
        } else if (options.only.contains("scale")) {
            scaleTable(tools, sizes);
        }
        if (options.only.contains("memory")) {
            memory(registry, seed);
        }
        if (options.only.contains("cpu")) {
            cpu(registry, seed, tools);
        }
    }

    // ---- scenario 6 ------------------------------------------------------------------------------------------------

    /**
     * Where the CPU of a same-repository publish (8 children, 2 tags) goes: ours in a fresh JVM by warmth, the
     * peers (their processes' CPU, reaped children of this JVM), and the registry's CPU for each. Registry and
     * tools share the machine's cores, so on a small machine the sum bounds the latency.
     */
    private void cpu(RegistryServer registry, Seed seed, List<PublishTool> tools) {
        System.out.println(
                "## 6. CPU per publish (same-repo, 8 children, 2 tags): ours by JVM warmth, the peers, the registry");
        System.out.println();
        System.out.println(
                "Ours: `CpuProbe` in a fresh JVM publishes in phases; CPU = the JVM's process CPU time per publish. "
                        + "JIT compiler time: CompilationMXBean, elapsed time summed over the compiler threads. "
                        + "Peers: CPU of their processes (reaped children of the bench JVM, the bench JVM's own share excluded). "
                        + "Registry: its process CPU per publish from /proc/PID/stat (10 ms ticks). Both run on the same cores, "
                        + "so (tool CPU + registry CPU) / cores bounds the latency from below.");
        System.out.println();
        System.out.println(
                "| tool | publishes | median ms | tool CPU ms/publish | of which JIT compiler time | registry CPU ms/publish | total CPU ms/publish |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|");
        long registryPid = Tools.registryPid();
        String phases = options.quick ? "5,20" : "25,75,200,300";
        List<String> cmd = new ArrayList<>(List.of(
                Tools.javaExecutable(),
                "-cp",
                System.getProperty("java.class.path"),
                CpuProbe.class.getName(),
                registry.hostPort(),
                String.valueOf(registryPid),
                registry.ref(Seed.SAME_REPO),
                phases));
        for (Seed.Child c : seed.first(8)) {
            cmd.add(c.ref(Seed.Layout.SAME_REPO) + "=" + c.platform());
        }
        for (String line : Proc.run(cmd, Map.of()).split("\n")) {
            if (line.startsWith("PHASE ")) {
                String[] f = line.split(" ");
                double jvm = Long.parseLong(f[4]) / 1e6;
                double reg = Long.parseLong(f[5]) / 1e6;
                System.out.printf(
                        Locale.ROOT,
                        "| multiarch in-process (fresh JVM) | %s-%s | %.1f | %.1f | %.1f | %.1f | %.1f |%n",
                        f[1],
                        f[2],
                        Long.parseLong(f[3]) / 1000.0,
                        jvm,
                        Long.parseLong(f[6]) / 1e6,
                        reg,
                        jvm + reg);
            }
        }
        int runs = options.quick ? 3 : 12;
        for (PublishTool tool : tools) {
            if (!(tool instanceof Tools.DockerManifest) && !(tool instanceof Tools.BuildahManifest)) {
                continue;
            }
            List<Long> walls = new ArrayList<>();
            long toolCpu = 0;
            long registryCpu = 0;
            for (int i = 0; i < runs; i++) {
                String run = "c" + (++runCounter);
                long child0 = Tools.cpuOfReapedChildren();
                long reg0 = Tools.cpuOfProcess(registryPid);
                long t0 = System.nanoTime();
                tool.publish(
                        registry.ref(Seed.SAME_REPO),
                        List.of(run + "-1.0", run + "-latest"),
                        seed.first(8),
                        Seed.Layout.SAME_REPO);
                walls.add(System.nanoTime() - t0);
                toolCpu += Tools.cpuOfReapedChildren() - child0;
                registryCpu += Tools.cpuOfProcess(registryPid) - reg0;
                tool.cleanup();
            }
            java.util.Collections.sort(walls);
            double t = toolCpu / 1e6 / runs;
            double r = registryCpu / 1e6 / runs;
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %d | %.1f | %.1f | - | %.1f | %.1f |%n",
                    tool.name(),
                    runs,
                    walls.get(runs / 2) / 1e6,
                    t,
                    r,
                    t + r);
        }
        System.out.println();
    }

    private void measure(
            RegistryServer registry, AccessLog log, Seed seed, List<PublishTool> tools, Seed.Layout layout, int n) {
        System.err.printf(
                Locale.ROOT,
                "[bench] publish %s, %d children: %s%n",
                layout.label,
                n,
                tools.stream().map(PublishTool::name).toList());
        for (int w = 0; w < options.warmups; w++) {
            for (PublishTool tool : tools) {
                runOnce(registry, log, seed, tool, layout, n);
            }
        }
        for (int rep = 0; rep < options.reps; rep++) {
            for (int i = 0; i < tools.size(); i++) {
                PublishTool tool = tools.get((i + rep) % tools.size());
                Sample s = runOnce(registry, log, seed, tool, layout, n);
                results.computeIfAbsent(new Cell(layout, n, tool.name()), k -> new ArrayList<>())
                        .add(s);
            }
        }
    }

    /**
     * Ours publishing the same list under the same tags a second time (a re-run of a pipeline that changed
     * nothing): the first publish is untimed, the second measured. Nothing but the reads and the tag HEADs should
     * go out (2 x children + tags requests).
     */
    private void measureRepublish(
            RegistryServer registry, AccessLog log, Seed seed, Tools.OursWarm warm, Seed.Layout layout, int n) {
        System.err.printf(Locale.ROOT, "[bench] re-publish %s, %d children%n", layout.label, n);
        for (int rep = -options.warmups; rep < options.reps; rep++) {
            String run = "p" + (++runCounter);
            String repo = layout == Seed.Layout.SAME_REPO ? Seed.SAME_REPO : "bench/pub-" + run;
            List<String> tags =
                    layout == Seed.Layout.SAME_REPO ? List.of(run + "-1.0", run + "-latest") : List.of("1.0", "latest");
            List<Seed.Child> children = seed.first(n);
            warm.publish(registry.ref(repo), tags, children, layout);
            long mark = log.mark();
            long t0 = System.nanoTime();
            warm.publish(registry.ref(repo), tags, children, layout);
            long nanos = System.nanoTime() - t0;
            Traffic traffic = Traffic.of(log.since(mark), seed.layerSizes, seed.configDigests);
            verify(registry, repo, tags, n, warm);
            if (rep >= 0) {
                results.computeIfAbsent(new Cell(layout, n, REPUBLISH), k -> new ArrayList<>())
                        .add(new Sample(nanos, traffic));
            }
        }
    }

    static final String REPUBLISH = "multiarch re-publish (warm, list already under both tags)";

    /**
     * One publish with fresh names, so every run does the same work: same-repo lists get fresh tags in
     * {@code bench/same}; per-arch lists go to a fresh repository that has none of the children yet.
     */
    private Sample runOnce(
            RegistryServer registry, AccessLog log, Seed seed, PublishTool tool, Seed.Layout layout, int n) {
        String run = "r" + (++runCounter);
        String repo = layout == Seed.Layout.SAME_REPO ? Seed.SAME_REPO : "bench/pub-" + run;
        List<String> tags =
                layout == Seed.Layout.SAME_REPO ? List.of(run + "-1.0", run + "-latest") : List.of("1.0", "latest");
        List<Seed.Child> children = seed.first(n);
        long mark = log.mark();
        long t0 = System.nanoTime();
        try {
            tool.publish(registry.ref(repo), tags, children, layout);
        } finally {
            tool.cleanup();
        }
        long nanos = System.nanoTime() - t0;
        Traffic traffic = Traffic.of(log.since(mark), seed.layerSizes, seed.configDigests);
        verify(registry, repo, tags, n, tool);
        return new Sample(nanos, traffic);
    }

    /** The list each tool published must be there under every tag, with every child. */
    static void verify(RegistryServer registry, String repo, List<String> tags, int n, PublishTool tool) {
        verify(registry, repo, tags, n, tool.name());
    }

    /** The list {@code who} published must be there under every tag, with every child. */
    static void verify(RegistryServer registry, String repo, List<String> tags, int n, String who) {
        TestImages images = TestImages.forRegistry(registry);
        for (String tag : tags) {
            TestImages.Fetched f = images.getManifest(repo, tag);
            int entries;
            try {
                JsonNode list = JSON.readTree(f.body());
                entries = list.has("manifests") ? list.get("manifests").size() : -1;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (f.status() != 200 || entries != n) {
                throw new IllegalStateException(who + " did not publish " + repo + ":" + tag + " with " + n
                        + " children: HTTP " + f.status() + ", " + entries + " entries");
            }
        }
    }

    // ---- tables ----------------------------------------------------------------------------------------------------

    private List<Sample> samples(Seed.Layout layout, int n, PublishTool tool) {
        return results.getOrDefault(new Cell(layout, n, tool.name()), List.of());
    }

    private void latencyTable(List<PublishTool> tools, List<Integer> sizes) {
        System.out.println("## 1. Publish latency (2 tags, children already in the registry)");
        System.out.println();
        System.out.println("Median wall time of one publish in ms (min-max in brackets). Ratio = the peer's median / "
                + "multiarch warm's median (higher = we are faster).");
        System.out.println();
        StringBuilder head = new StringBuilder("| layout | children |");
        StringBuilder rule = new StringBuilder("|---|---:|");
        for (PublishTool t : tools) {
            head.append(' ').append(t.name()).append(" |");
            rule.append("---:|");
        }
        for (PublishTool t : tools.subList(1, tools.size())) {
            head.append(" ").append(shortName(t)).append(" / warm |");
            rule.append("---:|");
        }
        System.out.println(head);
        System.out.println(rule);
        for (Seed.Layout layout : Seed.Layout.values()) {
            for (int n : sizes) {
                StringBuilder row = new StringBuilder("| " + layout.label + " | " + n + " |");
                double ours = medianMs(samples(layout, n, tools.get(0)));
                for (PublishTool t : tools) {
                    List<Sample> s = samples(layout, n, t);
                    row.append(' ').append(s.isEmpty() ? "-" : fmtMs(s)).append(" |");
                }
                for (PublishTool t : tools.subList(1, tools.size())) {
                    List<Sample> s = samples(layout, n, t);
                    row.append(' ')
                            .append(s.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1fx", medianMs(s) / ours))
                            .append(" |");
                }
                System.out.println(row);
            }
        }
        List<Sample> perChild = results.get(new Cell(Seed.Layout.PER_ARCH, 8, "buildah manifest (add per child)"));
        if (perChild != null) {
            double ours = medianMs(
                    results.get(new Cell(Seed.Layout.PER_ARCH, 8, tools.get(0).name())));
            System.out.println();
            System.out.printf(
                    Locale.ROOT,
                    "For reference, buildah scripted as `manifest create` + one `manifest add` per child "
                            + "(per-arch, 8 children): %s ms, %.1fx multiarch warm measured alongside it.%n",
                    fmtMs(perChild),
                    medianMs(perChild) / ours);
        }
        System.out.println();
    }

    private void trafficTable(List<PublishTool> tools, List<Integer> sizes, Seed seed) {
        System.out.println("## 2. Requests and bytes per publish (from the registry's access log)");
        System.out.println();
        System.out.println(
                "Budget = 2 x children + tags (+ auth round trips: none on this open registry). multiarch by "
                        + "design: same-repo 2 x children + 2 x tags on a first publish (one HEAD per tag before its PUT), "
                        + "per-arch 2 x children + unique blobs (mounts) + children (manifest PUTs) + 2 x tags; a re-publish "
                        + "of an unchanged list 2 x children + tags (its row gives its median time too). Layer bytes: "
                        + "layer blobs served by (down) or uploaded to (up) the registry; each child has a 256 KiB and an 8 KiB layer.");
        System.out.println();
        System.out.println("| layout | children | tool | requests | budget | HEAD | manifest PUT | config GET | mounts "
                + "| layer bytes down | layer bytes up | response bytes | requests by kind |");
        System.out.println("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (Seed.Layout layout : Seed.Layout.values()) {
            for (int n : sizes) {
                for (PublishTool t : tools) {
                    List<Sample> s = samples(layout, n, t);
                    if (s.isEmpty()) {
                        continue;
                    }
                    Traffic first = s.get(0).traffic();
                    System.out.printf(
                            Locale.ROOT,
                            "| %s | %d | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                            layout.label,
                            n,
                            t.name(),
                            range(s, x -> x.requests()),
                            2 * n + 2,
                            range(s, x -> x.heads()),
                            range(s, x -> x.manifestPuts()),
                            range(s, x -> x.configGets()),
                            range(s, x -> x.mounts()),
                            range(s, Traffic::layerBytesDown),
                            range(s, Traffic::layerBytesUp),
                            range(s, Traffic::responseBytes),
                            first.breakdown());
                }
                List<Sample> again = results.get(new Cell(layout, n, REPUBLISH));
                if (again != null) {
                    Traffic first = again.get(0).traffic();
                    System.out.printf(
                            Locale.ROOT,
                            "| %s | %d | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                            layout.label,
                            n,
                            REPUBLISH + ", " + fmtMs(again) + " ms",
                            range(again, x -> x.requests()),
                            2 * n + 2,
                            range(again, x -> x.heads()),
                            range(again, x -> x.manifestPuts()),
                            range(again, x -> x.configGets()),
                            range(again, x -> x.mounts()),
                            range(again, Traffic::layerBytesDown),
                            range(again, Traffic::layerBytesUp),
                            range(again, Traffic::responseBytes),
                            first.breakdown());
                }
            }
        }
        System.out.println();
    }

    private void scaleTable(List<PublishTool> tools, List<Integer> sizes) {
        System.out.println("## 4. Scale: cost as children grow (2 tags)");
        System.out.println();
        System.out.println(
                "Median ms and requests per publish; 'per extra child' = (value at the largest size - value at "
                        + "the smallest) / (difference in children). Linear cost = a constant per-child increment.");
        System.out.println();
        StringBuilder head = new StringBuilder("| layout | tool |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (int n : sizes) {
            head.append(" ms @").append(n).append(" |");
            rule.append("---:|");
        }
        head.append(" ms per extra child |");
        rule.append("---:|");
        for (int n : sizes) {
            head.append(" req @").append(n).append(" |");
            rule.append("---:|");
        }
        head.append(" req per extra child |");
        rule.append("---:|");
        System.out.println(head);
        System.out.println(rule);
        int lo = sizes.get(0);
        int hi = sizes.get(sizes.size() - 1);
        for (Seed.Layout layout : Seed.Layout.values()) {
            for (PublishTool t : tools) {
                StringBuilder row = new StringBuilder("| " + layout.label + " | " + t.name() + " |");
                for (int n : sizes) {
                    List<Sample> s = samples(layout, n, t);
                    row.append(' ')
                            .append(s.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f", medianMs(s)))
                            .append(" |");
                }
                List<Sample> a = samples(layout, lo, t);
                List<Sample> b = samples(layout, hi, t);
                row.append(
                        a.isEmpty() || b.isEmpty()
                                ? " - |"
                                : String.format(Locale.ROOT, " %.1f |", (medianMs(b) - medianMs(a)) / (hi - lo)));
                for (int n : sizes) {
                    List<Sample> s = samples(layout, n, t);
                    row.append(' ')
                            .append(s.isEmpty() ? "-" : range(s, Traffic::requests))
                            .append(" |");
                }
                row.append(
                        a.isEmpty() || b.isEmpty()
                                ? " - |"
                                : String.format(
                                        Locale.ROOT,
                                        " %.2f |",
                                        (medianOf(b, x -> x.traffic().requests())
                                                        - medianOf(
                                                                a,
                                                                x -> x.traffic().requests()))
                                                / (double) (hi - lo)));
                System.out.println(row);
            }
        }
        System.out.println();
    }

    // ---- scenario 5 ------------------------------------------------------------------------------------------------

    private void memory(RegistryServer registry, Seed seed) {
        System.out.println("## 5. Memory: one in-process publish of 32 children in a fresh JVM");
        System.out.println();
        System.out.println(
                "`MemoryProbe` runs one publish (2 tags) in a new JVM with the given -Xmx. Pool peak = sum of "
                        + "the heap pools' peak usage during the publish (peaks reset just before it; includes garbage); "
                        + "live after GC = the largest heap left after any collection during the publish (GC notifications); "
                        + "baseline = heap used after a full GC before the publish.");
        System.out.println();
        System.out.println(
                "| layout | -Xmx | result | ms | baseline MiB | pool peak MiB | max before GC MiB | live after GC MiB | GCs | collector |");
        System.out.println("|---|---:|---|---:|---:|---:|---:|---:|---:|---|");
        List<Integer> heaps = options.quick ? List.of(64) : List.of(64, 32, 16, 12, 8);
        for (Seed.Layout layout : Seed.Layout.values()) {
            for (int xmx : heaps) {
                String run = "m" + (++runCounter);
                String repo = layout == Seed.Layout.SAME_REPO ? Seed.SAME_REPO : "bench/pub-" + run;
                String tags = layout == Seed.Layout.SAME_REPO ? run + "-1.0," + run + "-latest" : "1.0,latest";
                List<String> cmd = new ArrayList<>(List.of(
                        Tools.javaExecutable(),
                        "-Xmx" + xmx + "m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        MemoryProbe.class.getName(),
                        registry.hostPort(),
                        registry.ref(repo),
                        tags));
                for (Seed.Child c : seed.first(32)) {
                    cmd.add(c.ref(layout) + "=" + c.platform());
                }
                String out;
                try {
                    out = Proc.run(cmd, Map.of());
                } catch (RuntimeException e) {
                    out = "RESULT ok=false error="
                            + e.getMessage().lines().findFirst().orElse("?").replace(' ', '_');
                }
                Map<String, String> r = parseResult(out);
                boolean ok = "true".equals(r.get("ok"));
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %d MiB | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                        layout.label,
                        xmx,
                        ok ? "ok, " + r.get("children") + " children" : "FAILED " + r.get("error"),
                        r.getOrDefault("ms", "-"),
                        mib(r.get("baseline")),
                        mib(r.get("poolPeak")),
                        mib(r.get("maxBeforeGc")),
                        mib(r.get("maxAfterGc")),
                        r.getOrDefault("gcs", "-"),
                        r.getOrDefault("gc", "-"));
            }
        }
        System.out.println();
    }

    private static Map<String, String> parseResult(String out) {
        Map<String, String> r = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("RESULT ")) {
                for (String kv : line.substring(7).split(" ")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        r.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
            }
        }
        return r;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    static String mib(String bytes) {
        if (bytes == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f", Long.parseLong(bytes) / 1048576.0);
    }

    static double medianMs(List<Sample> s) {
        return medianOf(s, Sample::nanos) / 1e6;
    }

    static double medianOf(List<Sample> s, ToLongFunction<Sample> f) {
        long[] v = s.stream().mapToLong(f).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
    }

    static String fmtMs(List<Sample> s) {
        long[] v = s.stream().mapToLong(Sample::nanos).sorted().toArray();
        return String.format(Locale.ROOT, "%.0f (%.0f-%.0f)", medianMs(s), v[0] / 1e6, v[v.length - 1] / 1e6);
    }

    /** The median of a traffic figure, with its range when the runs differ. */
    static String range(List<Sample> s, ToLongFunction<Traffic> f) {
        long[] v =
                s.stream().mapToLong(x -> f.applyAsLong(x.traffic())).sorted().toArray();
        long med = v[v.length / 2];
        return v[0] == v[v.length - 1] ? Long.toString(med) : med + " (" + v[0] + "-" + v[v.length - 1] + ")";
    }

    private static String shortName(PublishTool t) {
        return t.name().replaceAll(" \\(.*cold JVM\\)", " cold").replace(" (warm, in-process)", "");
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst()
                    .orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    static String firstLine(String s) {
        return s.lines().findFirst().orElse("").strip();
    }
}
