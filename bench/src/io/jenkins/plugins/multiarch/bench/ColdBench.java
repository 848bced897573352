package io.jenkins.plugins.multiarch.bench;

import io.jenkins.plugins.multiarch.bench.AccessLog.Traffic;
import io.jenkins.plugins.multiarch.bench.Tools.Proc;
import io.jenkins.plugins.multiarch.bench.Tools.PublishTool;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scenario 9, the cold CLI: {@code bin/multiarch push-manifest-list} of 8 children (same repository, 2 tags)
 * as a fresh process per publish, against a local registry, beside {@code docker manifest} and
 * {@code buildah manifest} doing the same, alternating. The start-up levers side by side: JDK 17 with its
 * class-data archive, JDK 25 with its ahead-of-time cache, each without it, C1 only or not; the bare JVM and
 * CLI start ({@code --version}); and, in a fresh JVM, what the JDK client's TLS set-up costs a plain-HTTP run
 * ({@link ColdProbe}).
 */
final class ColdBench {

    /** The two JDKs compared (MULTIARCH_BENCH_JAVA17 and MULTIARCH_BENCH_JAVA25 override): Debian's 17, Temurin 25. */
    static final Path JDK17 = Path.of(
            System.getenv().getOrDefault("MULTIARCH_BENCH_JAVA17", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"));

    static final Path JDK25 = Path.of(
            System.getenv().getOrDefault("MULTIARCH_BENCH_JAVA25", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"));

    /** A way to run the CLI: the launcher or plain java -jar, with its environment. */
    record Variant(String name, List<String> prefix, Map<String, String> env, boolean publishes) {}

    private final Bench.Options options;
    private final Path work;
    private final Map<String, List<Bench.Sample>> results = new LinkedHashMap<>();
    private final Map<String, String> probes = new LinkedHashMap<>();
    private int runCounter;

    ColdBench(Bench.Options options, Path work) {
        this.options = options;
        this.work = work;
    }

    private List<Variant> variants() {
        List<Variant> v = new ArrayList<>();
        String launcher = options.cliLauncher.toString();
        String jar = options.cliJar.toString();
        for (Path java : List.of(JDK17, JDK25)) {
            if (!Files.isExecutable(java)) {
                continue;
            }
            String jdk = java.equals(JDK25) ? "JDK 25" : "JDK 17";
            String archive = java.equals(JDK25) ? "AOT cache" : "AppCDS";
            Map<String, String> env = Map.of("MULTIARCH_JAR", jar, "MULTIARCH_JAVA", java.toString());
            v.add(new Variant("bin/multiarch, " + jdk + ", " + archive + " + C1", List.of(launcher), env, true));
            v.add(new Variant(
                    "bin/multiarch, " + jdk + ", " + archive + ", C1 and C2",
                    List.of(launcher),
                    with(env, "MULTIARCH_JAVA_OPTS", "-XX:TieredStopAtLevel=4"),
                    true));
            v.add(new Variant(
                    "bin/multiarch, " + jdk + ", no archive, C1",
                    List.of(launcher),
                    with(env, "MULTIARCH_CDS", "off"),
                    true));
            v.add(new Variant(
                    "java -jar, " + jdk + " (no archive, C1 and C2)",
                    List.of(java.toString(), "-jar", jar),
                    Map.of(),
                    true));
            v.add(new Variant(
                    "bin/multiarch --version, " + jdk + ", " + archive + " (JVM and CLI start only)",
                    List.of(launcher),
                    env,
                    false));
        }
        return v;
    }

    private static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(env);
        m.put(key, value);
        return m;
    }

    void run() {
        if (options.cliJar == null || options.cliLauncher == null) {
            System.err.println("[bench] cold: no CLI jar or launcher; scenario left out");
            return;
        }
        try (RegistryServer registry = RegistryServer.plain()) {
            Seed seed = new Seed(registry, 8);
            AccessLog log = new AccessLog(registry.logFile());
            List<Variant> variants = variants();
            List<PublishTool> peers = new ArrayList<>();
            if (Proc.tryRun(List.of("docker", "manifest", "--help"), Map.of()).contains("create")) {
                peers.add(new Tools.DockerManifest(work.resolve("cold-docker")));
            }
            if (!Proc.tryRun(List.of("buildah", "--version"), Map.of()).startsWith("(")) {
                peers.add(new Tools.BuildahManifest(work.resolve("cold"), false));
            }
            // Untimed: each launcher variant makes its start-up archive before anything is measured.
            for (Variant v : variants) {
                if (v.prefix().size() == 1) {
                    Proc.run(List.of(v.prefix().get(0), "--version"), v.env());
                }
            }
            int reps = options.quick ? 5 : 15;
            int total = variants.size() + peers.size();
            for (int rep = -1; rep < reps; rep++) {
                for (int i = 0; i < total; i++) {
                    int k = Math.floorMod(i + rep, total);
                    String name;
                    Bench.Sample s;
                    if (k < variants.size()) {
                        Variant v = variants.get(k);
                        name = v.name();
                        s = cli(registry, log, seed, v);
                    } else {
                        PublishTool p = peers.get(k - variants.size());
                        name = p.name();
                        s = peer(registry, log, seed, p);
                    }
                    if (rep >= 0) {
                        results.computeIfAbsent(name, x -> new ArrayList<>()).add(s);
                    }
                }
            }
            for (Path java : List.of(JDK17, JDK25)) {
                if (Files.isExecutable(java)) {
                    probes.put(java.equals(JDK25) ? "JDK 25" : "JDK 17", probe(java));
                }
            }
            print(variants, peers);
        }
    }

    private Bench.Sample cli(RegistryServer registry, AccessLog log, Seed seed, Variant v) {
        List<String> cmd = new ArrayList<>(v.prefix());
        String run = "c" + (++runCounter);
        List<String> tags = List.of(run + "-1.0", run + "-latest");
        if (v.publishes()) {
            cmd.addAll(List.of(
                    "push-manifest-list",
                    "--image",
                    registry.ref(Seed.SAME_REPO),
                    "--insecure-registry",
                    registry.hostPort()));
            for (String t : tags) {
                cmd.add("--tag");
                cmd.add(t);
            }
            for (Seed.Child c : seed.first(8)) {
                cmd.add("--source");
                cmd.add(c.ref(Seed.Layout.SAME_REPO) + "=" + c.platform());
            }
        } else {
            cmd.add("--version");
        }
        long mark = log.mark();
        long t0 = System.nanoTime();
        Proc.run(cmd, v.env());
        long nanos = System.nanoTime() - t0;
        Traffic traffic = Traffic.of(log.since(mark), seed.layerSizes, seed.configDigests);
        if (v.publishes()) {
            Bench.verify(registry, Seed.SAME_REPO, tags, 8, v.name());
        }
        return new Bench.Sample(nanos, traffic);
    }

    private Bench.Sample peer(RegistryServer registry, AccessLog log, Seed seed, PublishTool p) {
        String run = "c" + (++runCounter);
        List<String> tags = List.of(run + "-1.0", run + "-latest");
        long mark = log.mark();
        long t0 = System.nanoTime();
        try {
            p.publish(registry.ref(Seed.SAME_REPO), tags, seed.first(8), Seed.Layout.SAME_REPO);
        } finally {
            p.cleanup();
        }
        long nanos = System.nanoTime() - t0;
        Traffic traffic = Traffic.of(log.since(mark), seed.layerSizes, seed.configDigests);
        Bench.verify(registry, Seed.SAME_REPO, tags, 8, p.name());
        return new Bench.Sample(nanos, traffic);
    }

    /** {@link ColdProbe} in a fresh JVM, 5 times per figure, alternating: the median of each. */
    private static String probe(Path java) {
        Map<String, List<Double>> figures = new LinkedHashMap<>();
        List<String> modes = List.of("default-tls", "uninitialised-tls", "no-tls", "jackson");
        for (int i = 0; i < 5 * modes.size(); i++) {
            String out = Proc.run(
                    List.of(
                            java.toString(),
                            "-XX:TieredStopAtLevel=1",
                            "-cp",
                            System.getProperty("java.class.path"),
                            ColdProbe.class.getName(),
                            modes.get(i % modes.size())),
                    Map.of());
            for (String line : out.split("\n")) {
                if (line.startsWith("PROBE ")) {
                    String[] f = line.split(" ");
                    figures.computeIfAbsent(f[1], k -> new ArrayList<>()).add(Double.parseDouble(f[2]));
                }
            }
        }
        StringBuilder b = new StringBuilder();
        figures.forEach((k, v) -> {
            double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            b.append(b.length() == 0 ? "" : "; ")
                    .append(k.replace('_', ' '))
                    .append(String.format(Locale.ROOT, " %.0f ms", a[a.length / 2]));
        });
        return b.toString();
    }

    private void print(List<Variant> variants, List<PublishTool> peers) {
        System.out.println("## 9. Cold CLI: `bin/multiarch push-manifest-list`, 8 children, same repository, 2 tags");
        System.out.println();
        System.out.println("A fresh process per publish against a local plain-HTTP registry, the start-up levers side "
                + "by side, beside the peers doing the same work, all alternating (order rotating), "
                + (options.quick ? 5 : 15) + " runs each after one warm-up round; the launcher's archive made "
                + "before anything is timed. Ratio = median / docker manifest's median (at most 1.0 = no slower).");
        System.out.println();
        System.out.println("| how | median ms (min-max) | / docker manifest | requests |");
        System.out.println("|---|---:|---:|---:|");
        double docker =
                results.containsKey("docker manifest") ? Bench.medianMs(results.get("docker manifest")) : Double.NaN;
        List<String> names = new ArrayList<>();
        peers.forEach(p -> names.add(p.name()));
        variants.forEach(v -> names.add(v.name()));
        for (String name : names) {
            List<Bench.Sample> s = results.get(name);
            if (s == null) {
                continue;
            }
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %.2f | %s |%n",
                    name,
                    Bench.fmtMs(s),
                    Bench.medianMs(s) / docker,
                    Bench.range(s, Traffic::requests));
        }
        System.out.println();
        System.out.println("In a fresh JVM (`ColdProbe`, C1 only, no archive, median of 5): what the JDK client's "
                + "TLS set-up costs a plain-HTTP run, and Jackson's first ObjectMapper:");
        System.out.println();
        probes.forEach((jdk, text) -> System.out.println("- " + jdk + ": " + text));
        System.out.println();
        System.out.println("### 9a. Target (issue 14)");
        System.out.println();
        System.out.println("| target | measured | status |");
        System.out.println("|---|---|---|");
        for (Variant v : variants) {
            if (!v.name().startsWith("bin/multiarch, ") || !v.name().endsWith("+ C1")) {
                continue;
            }
            double ours = Bench.medianMs(results.get(v.name()));
            System.out.printf(
                    Locale.ROOT,
                    "| cold `bin/multiarch push-manifest-list` (8 children, 2 tags) no slower than docker manifest, %s | %.0f against %.0f ms (%.2fx) | %s |%n",
                    v.name().substring("bin/multiarch, ".length()),
                    ours,
                    docker,
                    ours / docker,
                    ours <= docker ? "met" : "MISSED");
        }
        System.out.println();
    }
}
