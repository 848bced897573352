package io.jenkins.plugins.multiarch.bench;

import io.jenkins.plugins.multiarch.bench.AccessLog.Traffic;
import io.jenkins.plugins.multiarch.bench.Tools.PublishTool;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Scenario 7, the WAN: every tool publishes through a {@link DelayProxy} (25 ms each way, so a 50 ms round trip,
 * one round trip more per new connection for the TCP handshake, 100 Mbit/s) in front of a real registry, over
 * plain HTTP and over TLS (the registry's own TLS, HTTP/2 where the client negotiates it). Times are also given
 * in round trips (time / RTT) against the floor: the dependent round trips a verified publish cannot avoid.
 *
 * <p>Before the measured cells, a proxy check: each tool directly against the registry and through a proxy with
 * no delay, alternating, so that the proxy's own cost is known; the proxy's CPU is measured for every run.
 */
final class WanBench {

    static final long ONE_WAY_MS = 25;
    static final double RTT_MS = 2.0 * ONE_WAY_MS;
    static final double BANDWIDTH_MBIT = 100;

    enum Transport {
        PLAIN("plain HTTP", 1),
        TLS("TLS", 2);

        final String label;
        /** Round trips a new connection costs before its first request: TCP, plus TLS 1.3's one. */
        final int connectRoundTrips;

        Transport(String label, int connectRoundTrips) {
            this.label = label;
            this.connectRoundTrips = connectRoundTrips;
        }
    }

    /** One measured publish through a proxy. */
    record Run(long nanos, Traffic traffic, ProxyProcess.Stats proxy, long proxyCpuNanos) {
        double roundTrips() {
            return nanos / 1e6 / RTT_MS;
        }
    }

    record Cell(Transport transport, Seed.Layout layout, int children, String tool) {}

    static final String OURS = "multiarch (warm, in-process)";
    static final String OURS_FRESH = "multiarch (warm, new client per publish)";
    static final String REPUBLISH = "multiarch re-publish (warm)";

    private final Bench.Options options;
    private final Path work;
    private final Map<Cell, List<Run>> results = new LinkedHashMap<>();
    private final Map<Cell, List<Run>> zeroDelay = new LinkedHashMap<>();
    private final Map<Cell, List<Long>> direct = new LinkedHashMap<>();
    private final List<String> toolNames = new ArrayList<>();
    private final Map<Transport, String> tlsVersions = new LinkedHashMap<>();
    private int runCounter;

    WanBench(Bench.Options options, Path work) {
        this.options = options;
        this.work = work;
    }

    private List<Integer> sizes() {
        if (!options.children.isEmpty()) {
            return options.children;
        }
        return options.quick ? List.of(2, 8) : List.of(2, 8, 32);
    }

    private int reps() {
        return options.quick ? 1 : Math.min(options.reps, 3);
    }

    /**
     * The same cell through a proxy with twice the delay (100 ms round trip). The difference between the two
     * times, divided by the 50 ms more per round trip, counts the round trips the publish waits for one after
     * another, whatever the registry's and the client's own time (which the slope leaves out).
     */
    static String slower(String tool) {
        return tool + " @100ms";
    }

    static final double SLOW_RTT_MS = 2 * RTT_MS;

    void run() {
        for (Transport t : Transport.values()) {
            RegistryServer registry =
                    t == Transport.TLS ? RegistryServer.builder().tls().start() : RegistryServer.plain();
            try (registry;
                    ProxyProcess wan = new ProxyProcess(registry.hostPort(), ONE_WAY_MS, BANDWIDTH_MBIT);
                    ProxyProcess zero = new ProxyProcess(registry.hostPort(), 0, 0);
                    ProxyProcess slow = new ProxyProcess(registry.hostPort(), 2 * ONE_WAY_MS, BANDWIDTH_MBIT)) {
                runTransport(t, registry, wan, zero, slow);
            }
        }
        print();
    }

    private List<PublishTool> tools(Transport t, RegistryServer registry, String address) {
        Path ca = t == Transport.TLS ? registry.caFile() : null;
        List<PublishTool> tools = new ArrayList<>();
        tools.add(new Tools.OursWarm(address, ca, false));
        tools.add(new Tools.OursWarm(address, ca, true));
        if (options.cliJar != null && Files.isRegularFile(options.cliJar)) {
            Tools.OursCli cli = new Tools.OursCli(
                    options.cliJar,
                    options.cliLauncher != null && Files.isExecutable(options.cliLauncher) ? options.cliLauncher : null,
                    address,
                    ca);
            cli.prepare();
            tools.add(cli);
        }
        // docker manifest push sends its blob mounts over plain HTTP to any 127.0.0.0/8 registry (the docker CLI
        // counts loopback as insecure, whatever --insecure says), so it cannot push to a TLS registry here.
        if (t == Transport.PLAIN
                && Tools.Proc.tryRun(List.of("docker", "manifest", "--help"), Map.of())
                        .contains("create")) {
            tools.add(new Tools.DockerManifest(work.resolve("wan-docker-" + t)));
        }
        if (!Tools.Proc.tryRun(List.of("buildah", "--version"), Map.of()).startsWith("(")) {
            tools.add(new Tools.BuildahManifest(work.resolve("wan-" + t), false, ca));
        }
        for (PublishTool tool : tools) {
            if (!toolNames.contains(tool.name())) {
                toolNames.add(tool.name());
            }
        }
        return tools;
    }

    private void runTransport(
            Transport t, RegistryServer registry, ProxyProcess wan, ProxyProcess zero, ProxyProcess slow) {
        List<PublishTool> oursViaSlow = tools(t, registry, slow.hostPort()).stream()
                .filter(x -> x instanceof Tools.OursWarm)
                .toList();
        int maxN = sizes().get(sizes().size() - 1);
        Seed seed = new Seed(registry, Math.max(maxN, 8));
        AccessLog log = new AccessLog(registry.logFile());
        tlsVersions.put(t, t == Transport.TLS ? TlsProbe.protocol(registry) : "-");
        List<PublishTool> viaWan = tools(t, registry, wan.hostPort());
        // JIT warm-up of ours, directly against the registry (fast), as a long-running controller would have.
        Tools.OursWarm jit =
                new Tools.OursWarm(registry.hostPort(), t == Transport.TLS ? registry.caFile() : null, false);
        int jitRuns = options.quick ? 30 : 300;
        System.err.printf(Locale.ROOT, "[bench] wan %s: %d JIT warm-up publishes of ours%n", t.label, jitRuns);
        for (int i = 0; i < jitRuns; i++) {
            once(registry, registry.hostPort(), null, log, seed, jit, Seed.Layout.SAME_REPO, 8);
        }
        proxyCheck(t, registry, wan, zero, log, seed);
        for (Seed.Layout layout : Seed.Layout.values()) {
            for (int n : sizes()) {
                System.err.printf(Locale.ROOT, "[bench] wan %s, %s, %d children%n", t.label, layout.label, n);
                for (PublishTool tool : viaWan) {
                    if (tool instanceof Tools.OursWarm) {
                        once(registry, wan.hostPort(), wan, log, seed, tool, layout, n); // connections, caches
                    }
                }
                for (int rep = 0; rep < reps(); rep++) {
                    for (int i = 0; i < viaWan.size(); i++) {
                        PublishTool tool = viaWan.get((i + rep) % viaWan.size());
                        Run r = once(registry, wan.hostPort(), wan, log, seed, tool, layout, n);
                        System.err.printf(
                                Locale.ROOT,
                                "[bench]   %s: %.0f ms, %d requests, %d new connections%n",
                                tool.name(),
                                r.nanos() / 1e6,
                                r.traffic().requests(),
                                r.proxy().accepted());
                        results.computeIfAbsent(new Cell(t, layout, n, tool.name()), k -> new ArrayList<>())
                                .add(r);
                    }
                }
                republish(t, registry, wan, log, seed, (Tools.OursWarm) viaWan.get(0), layout, n);
                for (PublishTool tool : oursViaSlow) {
                    once(registry, slow.hostPort(), slow, log, seed, tool, layout, n);
                }
                for (int rep = 0; rep < Math.max(3, reps()); rep++) {
                    for (PublishTool tool : oursViaSlow) {
                        Run r = once(registry, slow.hostPort(), slow, log, seed, tool, layout, n);
                        results.computeIfAbsent(new Cell(t, layout, n, slower(tool.name())), k -> new ArrayList<>())
                                .add(r);
                    }
                }
            }
        }
    }

    /** Each tool directly and through the zero-delay proxy, alternating, at 8 children in the same repository. */
    private void proxyCheck(
            Transport t, RegistryServer registry, ProxyProcess wan, ProxyProcess zero, AccessLog log, Seed seed) {
        System.err.printf(Locale.ROOT, "[bench] wan %s: proxy check (direct against zero delay)%n", t.label);
        List<PublishTool> viaZero = tools(t, registry, zero.hostPort());
        List<PublishTool> straight = tools(t, registry, registry.hostPort());
        int reps = options.quick ? 1 : 5;
        for (int rep = -1; rep < reps; rep++) {
            for (int i = 0; i < viaZero.size(); i++) {
                PublishTool a = straight.get(i);
                PublishTool b = viaZero.get(i);
                Run d = once(registry, registry.hostPort(), null, log, seed, a, Seed.Layout.SAME_REPO, 8);
                Run z = once(registry, zero.hostPort(), zero, log, seed, b, Seed.Layout.SAME_REPO, 8);
                if (rep >= 0) {
                    Cell c = new Cell(t, Seed.Layout.SAME_REPO, 8, a.name());
                    direct.computeIfAbsent(c, k -> new ArrayList<>()).add(d.nanos());
                    zeroDelay.computeIfAbsent(c, k -> new ArrayList<>()).add(z);
                }
            }
        }
    }

    private void republish(
            Transport t,
            RegistryServer registry,
            ProxyProcess wan,
            AccessLog log,
            Seed seed,
            Tools.OursWarm ours,
            Seed.Layout layout,
            int n) {
        for (int rep = -1; rep < reps(); rep++) {
            String run = "w" + (++runCounter);
            String repo = layout == Seed.Layout.SAME_REPO ? Seed.SAME_REPO : "bench/wan-" + run;
            List<String> tags =
                    layout == Seed.Layout.SAME_REPO ? List.of(run + "-1.0", run + "-latest") : List.of("1.0", "latest");
            List<Seed.Child> children = seed.first(n, registry.hostPort(), wan.hostPort());
            ours.publish(wan.hostPort() + "/" + repo, tags, children, layout);
            Run r = timed(
                    registry, wan, log, seed, () -> ours.publish(wan.hostPort() + "/" + repo, tags, children, layout));
            if (rep >= 0) {
                results.computeIfAbsent(new Cell(t, layout, n, REPUBLISH), k -> new ArrayList<>())
                        .add(r);
            }
        }
    }

    /** One publish with fresh names (fresh tags, or a fresh target repository), checked afterwards. */
    private Run once(
            RegistryServer registry,
            String address,
            ProxyProcess proxy,
            AccessLog log,
            Seed seed,
            PublishTool tool,
            Seed.Layout layout,
            int n) {
        String run = "w" + (++runCounter);
        String repo = layout == Seed.Layout.SAME_REPO ? Seed.SAME_REPO : "bench/wan-" + run;
        List<String> tags =
                layout == Seed.Layout.SAME_REPO ? List.of(run + "-1.0", run + "-latest") : List.of("1.0", "latest");
        List<Seed.Child> children = seed.first(n, registry.hostPort(), address);
        Run r = timed(registry, proxy, log, seed, () -> {
            try {
                tool.publish(address + "/" + repo, tags, children, layout);
            } finally {
                tool.cleanup();
            }
        });
        Bench.verify(registry, repo, tags, n, tool);
        return r;
    }

    private static Run timed(RegistryServer registry, ProxyProcess proxy, AccessLog log, Seed seed, Runnable publish) {
        long mark = log.mark();
        if (proxy != null) {
            proxy.reset();
        }
        long cpu0 = proxy != null ? proxy.cpuNanos() : 0;
        long t0 = System.nanoTime();
        publish.run();
        long nanos = System.nanoTime() - t0;
        ProxyProcess.Stats stats = proxy != null ? proxy.stats() : null;
        long cpu = proxy != null ? proxy.cpuNanos() - cpu0 : 0;
        Traffic traffic = Traffic.of(log.since(mark), seed.layerSizes, seed.configDigests);
        return new Run(nanos, traffic, stats, cpu);
    }

    // ---- the floor -------------------------------------------------------------------------------------------------

    /**
     * Dependent round trips of a verified publish with 2 tags on an open registry, the connection left out:
     * child manifests (1), their configs (1, each needs its manifest), [per-arch: blob mounts (1), child manifests
     * by digest (1)], the first tag (1, only after every child is verified and present), the other tags (1, only
     * after the first tag's digest is checked). Tag HEADs and everything of one step go in parallel.
     */
    static int floorWithoutConnection(Seed.Layout layout) {
        return layout == Seed.Layout.SAME_REPO ? 4 : 6;
    }

    /** The floor for a run: plus the connection's round trips when the run had to open one. */
    static int floor(Transport t, Seed.Layout layout, Run r) {
        return floorWithoutConnection(layout)
                + (r.proxy() != null && r.proxy().accepted() > 0 ? t.connectRoundTrips : 0);
    }

    // ---- tables ----------------------------------------------------------------------------------------------------

    private void print() {
        System.out.println(
                "## 7. WAN: publish through a delaying proxy (50 ms round trip, 100 Mbit/s), plain HTTP and TLS");
        System.out.println();
        System.out.println("The registry sits behind `DelayProxy` (a process of its own): each direction's bytes are "
                + "delivered 25 ms after they arrived, in order; a new connection's first bytes wait one round trip "
                + "more (the TCP handshake); 100 Mbit/s per direction, shared. TLS: the registry's own TLS ("
                + tlsVersions.get(Transport.TLS) + " with the JDK client), HTTP/2 where the client negotiates it "
                + "(ALPN). Over TLS ours (`--ca-file`) and buildah (`SSL_CERT_FILE`) verify the registry's certificate; "
                + "docker manifest has no TLS rows: it sends its blob mounts over plain HTTP to any 127.0.0.0/8 "
                + "registry (the docker CLI counts loopback as insecure), so it cannot push to a TLS registry here. "
                + "Children already in the registry, 2 tags, fresh names per run; "
                + reps() + " measured runs per cell (tools alternating, order rotating), medians (min-max).");
        System.out.println();
        proxyCheckTable();
        floorText();
        mainTable();
        ratioTable();
        targetsTable();
    }

    private void proxyCheckTable() {
        System.out.println("### 7a. The proxy is not the bottleneck (same-repo, 8 children)");
        System.out.println();
        System.out.println(
                "Direct = against the registry itself; zero delay = through a DelayProxy with no delay "
                        + "and no bandwidth limit (every byte still goes through it). Proxy CPU = its process's CPU per "
                        + "publish (10 ms ticks, averaged), through the zero-delay proxy here and through the WAN proxy in 7c.");
        System.out.println();
        System.out.println(
                "| transport | tool | direct ms | zero-delay proxy ms | difference ms | proxy CPU ms/publish | connections opened |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|");
        for (Map.Entry<Cell, List<Run>> e : zeroDelay.entrySet()) {
            List<Long> d = direct.get(e.getKey());
            double dm = median(d.stream().mapToDouble(x -> x / 1e6).toArray());
            double zm = median(e.getValue(), r -> r.nanos() / 1e6);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %.0f | %.0f | %+.0f | %.1f | %s |%n",
                    e.getKey().transport().label,
                    e.getKey().tool(),
                    dm,
                    zm,
                    zm - dm,
                    mean(e.getValue(), r -> r.proxyCpuNanos() / 1e6),
                    fmt(median(e.getValue(), r -> r.proxy().accepted())));
        }
        System.out.println();
    }

    private void floorText() {
        System.out.println("### 7b. The floor: dependent round trips a verified publish cannot avoid");
        System.out.println();
        System.out.println("| step | round trips | why it cannot overlap the step before |");
        System.out.println("|---|---:|---|");
        System.out.println(
                "| connection | plain 1 (TCP), TLS 2 (TCP + TLS 1.3); 0 on a connection already open | nothing can be sent before it |");
        System.out.println(
                "| token, where there is auth | 1 with the challenge known (2 on first contact: the 401, then the token); 0 here (open registry) | the request needs the token |");
        System.out.println(
                "| child manifests | 1 (all in parallel) | the input names tags or digests, the manifest names the config |");
        System.out.println(
                "| configs | 1 (all in parallel) | the platform is read from the config, whose digest is in the manifest |");
        System.out.println(
                "| per-arch only: blob mounts, then child manifests by digest | 2 | a manifest is refused until its blobs are in the repository |");
        System.out.println("| first tag | 1 | only after every child is verified (and present) |");
        System.out.println("| other tags | 1 (all in parallel) | only after the first tag's digest is checked |");
        System.out.println();
        System.out.println("So 4 (same-repo) or 6 (per-arch) round trips on an open connection, plus 1 (plain) or 2 "
                + "(TLS) when a run opens a connection (the floor column counts the connection only for runs that "
                + "opened one). The tag HEADs (idempotence) overlap the manifests. HTTP/1.1 carries one request per "
                + "connection at a time: at most 8 connections per registry means at least ceil(requests / 8) rounds "
                + "for the reads (same-repo: 2 x children + tags before the first PUT).");
        System.out.println();
    }

    private void mainTable() {
        System.out.println("### 7c. Times and round trips");
        System.out.println();
        System.out.println("Round trips = median time / 50 ms (an upper bound: it includes the registry's and the "
                + "client's own time). For ours also the same publish through a proxy with twice the delay (100 ms "
                + "round trip, " + Math.max(3, reps()) + " runs): the slope (ms at 100 ms - ms at 50 ms) / 50 ms "
                + "counts the round trips waited for one after another, own time left out. Floor as in 7b for that "
                + "run; over floor = the slope (else the round trips) - floor. Connections: new ones the proxy "
                + "accepted, and those that carried bytes (new or reused), per publish (median). Requests and the "
                + "HTTP/2 share from the registry's access log. Proxy CPU per publish (mean).");
        System.out.println();
        System.out.println(
                "| transport | layout | children | tool | ms | round trips | ms at 100 ms RTT | round trips (slope) | floor | over floor | new connections | connections used | requests | HTTP/2 | proxy CPU ms |");
        System.out.println("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Transport t : Transport.values()) {
            for (Seed.Layout layout : Seed.Layout.values()) {
                for (int n : sizes()) {
                    List<String> names = new ArrayList<>(toolNames);
                    names.add(REPUBLISH);
                    for (String tool : names) {
                        List<Run> runs = results.get(new Cell(t, layout, n, tool));
                        if (runs == null) {
                            continue;
                        }
                        double rt = median(runs, Run::roundTrips);
                        List<Run> slow = results.get(new Cell(t, layout, n, slower(tool)));
                        double slowMs = slow == null ? Double.NaN : median(slow, r -> r.nanos() / 1e6);
                        double net = networkRoundTrips(new Cell(t, layout, n, tool));
                        double floor = median(runs, r -> floor(t, layout, r));
                        boolean republish = tool.equals(REPUBLISH);
                        System.out.printf(
                                Locale.ROOT,
                                "| %s | %s | %d | %s | %s | %.1f | %s | %.1f | %s | %s | %s | %s | %s | %s | %.1f |%n",
                                t.label,
                                layout.label,
                                n,
                                tool,
                                fmtMs(runs),
                                rt,
                                slow == null ? "-" : String.format(Locale.ROOT, "%.0f", slowMs),
                                net,
                                republish ? "-" : fmt(floor),
                                republish ? "-" : String.format(Locale.ROOT, "%+.1f", net - floor),
                                fmt(median(runs, r -> r.proxy().accepted())),
                                fmt(median(runs, r -> r.proxy().active())),
                                fmt(median(runs, r -> r.traffic().requests())),
                                pct(
                                        median(runs, r -> r.traffic().http2()),
                                        median(runs, r -> r.traffic().requests())),
                                mean(runs, r -> r.proxyCpuNanos() / 1e6));
                    }
                }
            }
        }
        System.out.println();
    }

    private void ratioTable() {
        System.out.println("### 7d. Ratios (peer median / multiarch warm median; higher = we are faster)");
        System.out.println();
        List<String> peers = toolNames.stream().filter(n -> !n.equals(OURS)).toList();
        StringBuilder head = new StringBuilder("| transport | layout | children |");
        StringBuilder rule = new StringBuilder("|---|---|---:|");
        for (String p : peers) {
            head.append(' ').append(p).append(" |");
            rule.append("---:|");
        }
        System.out.println(head);
        System.out.println(rule);
        for (Transport t : Transport.values()) {
            for (Seed.Layout layout : Seed.Layout.values()) {
                for (int n : sizes()) {
                    List<Run> ours = results.get(new Cell(t, layout, n, OURS));
                    if (ours == null) {
                        continue;
                    }
                    double o = median(ours, r -> r.nanos());
                    StringBuilder row = new StringBuilder("| " + t.label + " | " + layout.label + " | " + n + " |");
                    for (String p : peers) {
                        List<Run> runs = results.get(new Cell(t, layout, n, p));
                        row.append(' ')
                                .append(
                                        runs == null
                                                ? "-"
                                                : String.format(Locale.ROOT, "%.1fx", median(runs, r -> r.nanos()) / o))
                                .append(" |");
                    }
                    System.out.println(row);
                }
            }
        }
        System.out.println();
    }

    private void targetsTable() {
        System.out.println("### 7e. Targets (issue 14)");
        System.out.println();
        System.out.println("Round trips from the slope where measured (ours). Met = within half a round trip of the "
                + "target (one run's resolution: the slope of single runs scatters by about that much).");
        System.out.println();
        System.out.println("| target | measured | status |");
        System.out.println("|---|---|---|");
        for (int n : sizes()) {
            if (n < 8) {
                continue;
            }
            int allowed = n >= 32 ? 2 : 1;
            for (Transport t : Transport.values()) {
                List<Run> ours = results.get(new Cell(t, Seed.Layout.SAME_REPO, n, OURS));
                if (ours == null) {
                    continue;
                }
                double rt = networkRoundTrips(new Cell(t, Seed.Layout.SAME_REPO, n, OURS));
                double floor = median(ours, r -> floor(t, Seed.Layout.SAME_REPO, r));
                double peak = max(ours, r -> r.proxy().active());
                boolean h2 = t == Transport.TLS;
                boolean ok = rt <= floor + allowed + 0.5 && (!h2 || peak <= 2);
                System.out.printf(
                        Locale.ROOT,
                        "| warm first publish, same-repo, %s, %d children: <= floor + %d%s | %.1f round trips (slope), floor %s%s | %s |%n",
                        t.label,
                        n,
                        allowed,
                        h2 ? ", at most 2 connections" : "",
                        rt,
                        fmt(floor),
                        h2
                                ? String.format(
                                        Locale.ROOT,
                                        ", at most %.0f connections used, %s HTTP/2",
                                        peak,
                                        pct(
                                                median(ours, r -> r.traffic().http2()),
                                                median(ours, r -> r.traffic().requests())))
                                : String.format(Locale.ROOT, ", at most %.0f connections used", peak),
                        ok ? "met" : "MISSED");
            }
        }
        for (Transport t : Transport.values()) {
            for (Seed.Layout layout : Seed.Layout.values()) {
                List<Run> ours = results.get(new Cell(t, layout, 8, OURS));
                if (ours == null) {
                    continue;
                }
                double o = median(ours, r -> r.nanos());
                for (String peer : List.of("docker manifest", "buildah manifest")) {
                    List<Run> p = results.get(new Cell(t, layout, 8, peer));
                    if (p == null) {
                        continue;
                    }
                    double want = peer.startsWith("docker") ? 10 : 8;
                    double ratio = median(p, r -> r.nanos()) / o;
                    System.out.printf(
                            Locale.ROOT,
                            "| >= %.0fx faster than %s, %s, %s, 8 children | %.1fx (%.0f against %.0f ms) | %s |%n",
                            want,
                            peer,
                            t.label,
                            layout.label,
                            ratio,
                            median(p, r -> r.nanos()) / 1e6,
                            o / 1e6,
                            ratio >= want ? "met" : "MISSED");
                }
            }
        }
        for (Transport t : Transport.values()) {
            for (int n : sizes()) {
                List<Run> same = results.get(new Cell(t, Seed.Layout.SAME_REPO, n, OURS));
                List<Run> per = results.get(new Cell(t, Seed.Layout.PER_ARCH, n, OURS));
                if (same == null || per == null) {
                    continue;
                }
                double perRt = networkRoundTrips(new Cell(t, Seed.Layout.PER_ARCH, n, OURS));
                double sameRt = networkRoundTrips(new Cell(t, Seed.Layout.SAME_REPO, n, OURS));
                double d = perRt - sameRt;
                System.out.printf(
                        Locale.ROOT,
                        "| per-arch <= same-repo + 2 round trips, %s, %d children | %+.1f (%.1f against %.1f round trips, slope) | %s |%n",
                        t.label,
                        n,
                        d,
                        perRt,
                        sameRt,
                        d <= 2.5 ? "met" : "MISSED");
            }
        }
        System.out.println();
    }

    /** The slope (ms at 100 ms - ms at 50 ms round trip) / 50 ms where measured, else ms / 50 ms. */
    private double networkRoundTrips(Cell c) {
        List<Run> runs = results.get(c);
        List<Run> slow = results.get(new Cell(c.transport(), c.layout(), c.children(), slower(c.tool())));
        double ms = median(runs, r -> r.nanos() / 1e6);
        return slow == null ? ms / RTT_MS : (median(slow, r -> r.nanos() / 1e6) - ms) / (SLOW_RTT_MS - RTT_MS);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    static double median(List<Run> runs, ToDoubleFunction<Run> f) {
        return median(runs.stream().mapToDouble(f).toArray());
    }

    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        if (s.length == 0) {
            return Double.NaN;
        }
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double mean(List<Run> runs, ToDoubleFunction<Run> f) {
        return runs.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    static double max(List<Run> runs, ToDoubleFunction<Run> f) {
        return runs.stream().mapToDouble(f).max().orElse(Double.NaN);
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String pct(double part, double whole) {
        return whole > 0 ? String.format(Locale.ROOT, "%.0f%%", 100 * part / whole) : "-";
    }

    static String fmtMs(List<Run> runs) {
        double[] v = runs.stream().mapToDouble(r -> r.nanos() / 1e6).sorted().toArray();
        return String.format(Locale.ROOT, "%.0f (%.0f-%.0f)", median(v), v[0], v[v.length - 1]);
    }
}
