package io.jenkins.plugins.multiarch.bench;

import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TokenIssuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scenario 8: many publishes at once in one JVM, as a controller runs them. {@link ConcurrencyProbe} in a JVM of
 * its own with {@code -Xmx256m} (so finishing proves the heap stayed under 256 MiB) publishes 100 lists of 8
 * children at once, each with a client of its own and one of two users' credentials, against one registry:
 * over loopback and behind the delaying proxy (plain HTTP, token auth), and behind the proxy over TLS (open
 * registry, HTTP/2). Tokens: each user has repositories of its own, so a token of one user used for the other's
 * request would be refused (an extra 401 in the registry's log, then a token request) and the token service's
 * log shows which user asked for which repository.
 */
final class ConcurrencyBench {

    static final String[] USERS = {"alice", "bob"};

    record Round(
            String name,
            Map<String, String> result,
            int unauthorized,
            int requests,
            String tokens,
            double registryCpuMs,
            ProxyProcess.Stats proxy,
            double proxyCpuMs) {}

    private final Bench.Options options;
    private final Path work;
    private final List<Round> rounds = new ArrayList<>();

    ConcurrencyBench(Bench.Options options, Path work) {
        this.options = options;
        this.work = work;
    }

    private int publishes() {
        return 100;
    }

    void run() {
        try (TokenIssuer issuer = new TokenIssuer(USERS[0], USERS[0] + "-secret");
                RegistryServer registry = tokenRegistry(issuer)) {
            Map<String, Seed> seeds = new LinkedHashMap<>();
            for (String u : USERS) {
                seeds.put(u, new Seed(registry, 8, "conc/" + u));
            }
            long pid = Tools.registryPid();
            rounds.add(
                    round("loopback, plain HTTP, token auth", registry, registry.hostPort(), null, issuer, seeds, pid));
            try (ProxyProcess wan =
                    new ProxyProcess(registry.hostPort(), WanBench.ONE_WAY_MS, WanBench.BANDWIDTH_MBIT)) {
                rounds.add(
                        round("WAN proxy, plain HTTP, token auth", registry, wan.hostPort(), wan, issuer, seeds, pid));
            }
        }
        try (RegistryServer tls = RegistryServer.builder().tls().start()) {
            Map<String, Seed> seeds = new LinkedHashMap<>();
            for (String u : USERS) {
                seeds.put(u, new Seed(tls, 8, "conc/" + u));
            }
            long pid = Tools.registryPid();
            try (ProxyProcess wan = new ProxyProcess(tls.hostPort(), WanBench.ONE_WAY_MS, WanBench.BANDWIDTH_MBIT)) {
                rounds.add(round("WAN proxy, TLS (HTTP/2), open registry", tls, wan.hostPort(), wan, null, seeds, pid));
            }
        }
        print();
    }

    private static RegistryServer tokenRegistry(TokenIssuer issuer) {
        for (int i = 1; i < USERS.length; i++) {
            issuer.addUser(USERS[i], USERS[i] + "-secret");
        }
        return RegistryServer.builder().tokenAuth(issuer).start();
    }

    private Round round(
            String name,
            RegistryServer registry,
            String address,
            ProxyProcess proxy,
            TokenIssuer issuer,
            Map<String, Seed> seeds,
            long registryPid) {
        System.err.printf(Locale.ROOT, "[bench] concurrency: %d publishes at once, %s%n", publishes(), name);
        Path config = work.resolve("concurrency-" + rounds.size() + ".cfg");
        StringBuilder cfg = new StringBuilder();
        cfg.append("address ").append(address).append('\n');
        cfg.append(registry.isTls() ? "ca " + registry.caFile() : "insecure").append('\n');
        cfg.append("registryPort ")
                .append(address.substring(address.lastIndexOf(':') + 1))
                .append('\n');
        cfg.append("publishes ").append(publishes()).append('\n');
        cfg.append("warmup ").append(options.quick ? 20 : 100).append('\n');
        for (Map.Entry<String, Seed> e : seeds.entrySet()) {
            String u = e.getKey();
            cfg.append("user ")
                    .append(u)
                    .append(' ')
                    .append(issuer != null ? u + "-secret" : "-")
                    .append(" conc/")
                    .append(u)
                    .append('\n');
            for (Seed.Child c : e.getValue().first(8, registry.hostPort(), address)) {
                cfg.append("child ")
                        .append(u)
                        .append(' ')
                        .append(c.ref(Seed.Layout.SAME_REPO))
                        .append(' ')
                        .append(c.platform())
                        .append('\n');
            }
        }
        try {
            Files.writeString(config, cfg);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AccessLog log = new AccessLog(registry.logFile());
        Process probe;
        try {
            probe = new ProcessBuilder(List.of(
                            Tools.javaExecutable(),
                            "-Xmx256m",
                            "-cp",
                            System.getProperty("java.class.path"),
                            ConcurrencyProbe.class.getName(),
                            config.toString()))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder out = new StringBuilder();
        long mark;
        long proxyCpu0;
        long registryCpu0;
        try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                        probe.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
                java.io.Writer go = new java.io.OutputStreamWriter(
                        probe.getOutputStream(), java.nio.charset.StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null && !line.equals("READY")) {
                out.append(line).append('\n');
            }
            // the warm-up is over: count from here
            if (issuer != null) {
                issuer.clearRequests();
            }
            mark = log.mark();
            if (proxy != null) {
                proxy.reset();
            }
            proxyCpu0 = proxy != null ? proxy.cpuNanos() : 0;
            registryCpu0 = Tools.cpuOfProcess(registryPid);
            go.write("GO\n");
            go.flush();
            while ((line = in.readLine()) != null) {
                out.append(line).append('\n');
            }
            if (!probe.waitFor(1, java.util.concurrent.TimeUnit.MINUTES) || probe.exitValue() != 0) {
                throw new IllegalStateException("the concurrency probe failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            probe.destroyForcibly();
        }
        double registryCpu = (Tools.cpuOfProcess(registryPid) - registryCpu0) / 1e6;
        ProxyProcess.Stats stats = proxy != null ? proxy.stats() : null;
        double proxyCpu = proxy != null ? (proxy.cpuNanos() - proxyCpu0) / 1e6 : 0;
        List<AccessLog.Entry> entries = log.since(mark);
        int unauthorized = (int) entries.stream().filter(e -> e.status() == 401).count();
        Map<String, String> result = new LinkedHashMap<>();
        for (String line : out.toString().split("\n")) {
            if (line.startsWith("RESULT ")) {
                for (String kv : line.substring(7).split(" ")) {
                    int eq = kv.indexOf('=');
                    result.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
        }
        String tokens = issuer == null ? "no auth" : tokenCheck(issuer);
        System.err.printf(
                Locale.ROOT,
                "[bench]   %s; %d requests, %d x 401; tokens: %s%n",
                result,
                entries.size(),
                unauthorized,
                tokens);
        return new Round(name, result, unauthorized, entries.size(), tokens, registryCpu, stats, proxyCpu);
    }

    /** Every token request naming one user's repositories came with that user's credentials. */
    private static String tokenCheck(TokenIssuer issuer) {
        int requests = 0;
        int wrong = 0;
        int anonymous = 0;
        for (TokenIssuer.TokenRequest r : issuer.requests()) {
            requests++;
            if (r.user() == null) {
                anonymous++;
                continue;
            }
            for (String scope : r.scopes()) {
                for (String u : USERS) {
                    if (scope.contains("conc/" + u) && !u.equals(r.user())) {
                        wrong++;
                    }
                }
            }
        }
        return requests + " token requests, " + wrong + " for another user's repository, " + anonymous + " anonymous";
    }

    private void print() {
        System.out.println("## 8. Many publishes at once in one JVM (a controller)");
        System.out.println();
        System.out.println("`ConcurrencyProbe` in a JVM of its own with `-Xmx256m` (finishing proves the heap stayed "
                + "under 256 MiB) runs " + (options.quick ? 20 : 100) + " warm-up publishes, then " + publishes()
                + " publishes of 8-child lists at once (same repository, a fresh pair of tags each), each on a "
                + "thread of its own (a build's) with a `RegistryClient` of its own (as the Jenkins step makes one) "
                + "and the credentials of one of two users, in turn; each user has its own repository. Latency = "
                + "one publish's wall time; throughput = publishes / wall time of the whole round. Threads: JVM "
                + "peak (the " + publishes() + " build threads included), and the engine's by name "
                + "(`multiarch-publish`, the JDK client's `HttpClient-*`), sampled every 20 ms. Connections: most "
                + "established to the registry (or proxy) port at once, from `/proc/net/tcp`, sampled; through the "
                + "proxy also the proxy's own count. 401s and token requests: the registry's access log and the "
                + "token service's log.");
        System.out.println();
        System.out.println("| round | failures | wall s | publishes/s | p50 ms | p99 ms | p99 / p50 | max ms "
                + "| peak threads (JVM) | multiarch-publish | HttpClient | heap peak MiB | connections (sampled) "
                + "| proxy: new / peak open | requests | 401s | tokens | registry CPU s | proxy CPU s |");
        System.out.println(
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---:|---:|");
        for (Round r : rounds) {
            Map<String, String> m = r.result();
            double wall = Double.parseDouble(m.getOrDefault("wallMs", "NaN")) / 1000;
            double p50 = Double.parseDouble(m.getOrDefault("p50Ms", "NaN"));
            double p99 = Double.parseDouble(m.getOrDefault("p99Ms", "NaN"));
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %.1f | %.1f | %.0f | %.0f | %.2f | %s | %s | %s | %s | %s | %s | %s | %d | %d | %s | %.1f | %s |%n",
                    r.name(),
                    m.getOrDefault("failures", "?") + ("-".equals(m.get("error")) ? "" : " (" + m.get("error") + ")"),
                    wall,
                    publishes() / wall,
                    p50,
                    p99,
                    p99 / p50,
                    m.getOrDefault("maxMs", "-"),
                    m.getOrDefault("peakThreads", "-"),
                    m.getOrDefault("peakPublishThreads", "-"),
                    m.getOrDefault("peakHttpThreads", "-"),
                    Bench.mib(m.get("heapPeak")),
                    m.getOrDefault("peakConnections", "-"),
                    r.proxy() == null
                            ? "-"
                            : r.proxy().accepted() + " / " + r.proxy().peak(),
                    r.requests(),
                    r.unauthorized(),
                    r.tokens(),
                    r.registryCpuMs() / 1000,
                    r.proxy() == null ? "-" : String.format(Locale.ROOT, "%.1f", r.proxyCpuMs() / 1000));
        }
        System.out.println();
        System.out.println("### 8a. Targets (issue 14)");
        System.out.println();
        System.out.println("| target | measured | status |");
        System.out.println("|---|---|---|");
        for (Round r : rounds) {
            Map<String, String> m = r.result();
            boolean h2 = r.name().contains("HTTP/2");
            int connections = Math.max(
                    Integer.parseInt(m.getOrDefault("peakConnections", "0")),
                    r.proxy() == null ? 0 : r.proxy().peak());
            int limit = h2 ? 2 : 8;
            double p50 = Double.parseDouble(m.getOrDefault("p50Ms", "NaN"));
            double p99 = Double.parseDouble(m.getOrDefault("p99Ms", "NaN"));
            int publishThreads = Integer.parseInt(m.getOrDefault("peakPublishThreads", "0"));
            row(
                    "no failures, " + r.name(),
                    m.getOrDefault("failures", "?") + " failures",
                    "0".equals(m.get("failures")));
            row(
                    "at most " + limit + " connections per registry, " + r.name(),
                    connections + " at most at once",
                    connections <= limit);
            row(
                    "threads bounded by a fixed pool, " + r.name(),
                    publishThreads + " multiarch-publish threads (pool of 64) and " + m.get("peakHttpThreads")
                            + " HttpClient threads for " + publishes() + " publishes",
                    publishThreads <= 64);
            row(
                    "heap under 256 MiB, " + r.name(),
                    "finished under -Xmx256m; pool peak " + Bench.mib(m.get("heapPeak")) + " MiB",
                    "true".equals(m.get("finished")) && Long.parseLong(m.getOrDefault("heapPeak", "0")) < 256L << 20);
            if (r.name().startsWith("loopback")) {
                row(
                        "p99 under 3x p50 on loopback",
                        String.format(Locale.ROOT, "%.0f / %.0f ms = %.2f", p99, p50, p99 / p50),
                        p99 < 3 * p50);
            }
            if (!r.tokens().equals("no auth")) {
                row(
                        "no token of one credential set used for another, " + r.name(),
                        r.tokens() + "; " + r.unauthorized() + " x 401 for " + publishes() + " new clients (one "
                                + "first contact each; a token used for the wrong user would add more)",
                        r.tokens().contains(" 0 for another") && r.unauthorized() <= publishes());
            }
        }
        System.out.println();
    }

    private static void row(String target, String measured, boolean met) {
        System.out.println("| " + target + " | " + measured + " | " + (met ? "met" : "MISSED") + " |");
    }
}
