package io.jenkins.plugins.multiarch.bench;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.ListFormat;
import io.jenkins.plugins.multiarch.publish.PublishRequest;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import io.jenkins.plugins.multiarch.publish.Publisher;
import io.jenkins.plugins.multiarch.publish.SourceSpec;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario 8's JVM: a controller running many publishes at once. Warm-up publishes first (JIT), then
 * {@code publishes} at once, each on a thread of its own (a build's step thread) with a {@link RegistryClient} of
 * its own (as the Jenkins step makes one) and its user's credentials, users taking turns; each publishes one
 * list of the user's children under a fresh pair of tags. A sampler records threads, heap and the connections
 * open to the registry port ({@code /proc/net/tcp}, loopback) meanwhile.
 *
 * <p>Arguments: a config file with lines {@code address HOST:PORT}, {@code ca PEM} (TLS) or {@code insecure},
 * {@code registryPort PORT} (what /proc/net/tcp is searched for), {@code publishes N}, {@code warmup N}, and
 * per user {@code user NAME PASSWORD REPO} (no password: "-") and {@code child NAME REF PLATFORM}. Prints one
 * {@code RESULT key=value ...} line and {@code LATENCY ms} lines.
 */
public final class ConcurrencyProbe {

    record User(String name, String password, String repo, List<String[]> children) {}

    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        String address = null;
        Path ca = null;
        int registryPort = -1;
        int publishes = 100;
        int warmup = 30;
        Map<String, User> users = new java.util.LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.strip().split(" ");
            switch (f[0]) {
                case "address" -> address = f[1];
                case "ca" -> ca = Path.of(f[1]);
                case "registryPort" -> registryPort = Integer.parseInt(f[1]);
                case "publishes" -> publishes = Integer.parseInt(f[1]);
                case "warmup" -> warmup = Integer.parseInt(f[1]);
                case "user" -> users.put(f[1], new User(f[1], f[2], f[3], new ArrayList<>()));
                case "child" -> users.get(f[1]).children().add(new String[] {f[2], f[3]});
                default -> {
                    // blank or unknown: ignored
                }
            }
        }
        List<User> all = new ArrayList<>(users.values());
        String registry = address;
        Path caFile = ca;

        for (int i = 0; i < warmup; i++) {
            User u = all.get(i % all.size());
            publish(settings(registry, caFile, u), u, "warm" + i);
        }
        System.gc();
        // the bench starts counting (access log, CPU, proxy) now, then says GO
        System.out.println("READY");
        System.out.flush();
        String go = new java.io.BufferedReader(
                        new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8))
                .readLine();
        if (!"GO".equals(go)) {
            throw new IllegalStateException("expected GO, got " + go);
        }

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .toList();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        threads.resetPeakThreadCount();
        int threadsBefore = threads.getThreadCount();

        Sampler sampler = new Sampler(registryPort);
        Thread samplerThread = new Thread(sampler, "bench-sampler");
        samplerThread.setDaemon(true);
        samplerThread.start();

        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(publishes);
        long[] latencies = new long[publishes];
        AtomicInteger failures = new AtomicInteger();
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < publishes; i++) {
            int index = i;
            User u = all.get(i % all.size());
            Thread t = new Thread(
                    () -> {
                        try {
                            start.await();
                            long t0 = System.nanoTime();
                            publish(settings(registry, caFile, u), u, "run" + index);
                            latencies[index] = System.nanoTime() - t0;
                        } catch (Throwable e) {
                            failures.incrementAndGet();
                            latencies[index] = -1;
                            errors.add(e.toString().replace(' ', '_'));
                        } finally {
                            done.countDown();
                        }
                    },
                    "build-" + i);
            t.setDaemon(true);
            t.start();
        }
        long t0 = System.nanoTime();
        start.countDown();
        boolean finished = done.await(10, TimeUnit.MINUTES);
        long wall = System.nanoTime() - t0;
        sampler.stop();
        samplerThread.join(1000);

        long heapPeak =
                heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        long[] ok = Arrays.stream(latencies).filter(l -> l > 0).sorted().toArray();
        System.out.printf(
                Locale.ROOT,
                "RESULT finished=%s publishes=%d failures=%d wallMs=%d p50Ms=%.1f p99Ms=%.1f maxMs=%.1f"
                        + " threadsBefore=%d peakThreads=%d peakPublishThreads=%d peakHttpThreads=%d"
                        + " heapPeak=%d heapMax=%d peakConnections=%d error=%s%n",
                finished,
                publishes,
                failures.get() + (finished ? 0 : (int) done.getCount()),
                wall / 1_000_000,
                percentile(ok, 50),
                percentile(ok, 99),
                ok.length == 0 ? Double.NaN : ok[ok.length - 1] / 1e6,
                threadsBefore,
                threads.getPeakThreadCount(),
                sampler.publishThreads.get(),
                sampler.httpThreads.get(),
                heapPeak,
                Runtime.getRuntime().maxMemory(),
                sampler.connections.get(),
                errors.isEmpty() ? "-" : errors.get(0));
        for (long l : latencies) {
            System.out.printf(Locale.ROOT, "LATENCY %.1f%n", l / 1e6);
        }
        System.exit(0);
    }

    private static RegistrySettings settings(String registry, Path caFile, User u) {
        RegistrySettings.Builder b =
                RegistrySettings.builder().listener(LogListener.NONE).userAgent("multiarch-bench-concurrency");
        if (caFile != null) {
            b.caFile(caFile);
        } else {
            b.insecureRegistry(registry);
        }
        if (!u.password().equals("-")) {
            b.credentials(CredentialsSource.of(registry, RegistryCredentials.of(u.name(), u.password())));
        }
        return b.build();
    }

    /** One publish by one user: a new client (a step's), the user's children, two fresh tags. */
    private static void publish(RegistrySettings settings, User u, String run) {
        RegistryClient client = new RegistryClient(settings);
        List<SourceSpec> sources = new ArrayList<>();
        for (String[] c : u.children()) {
            sources.add(new SourceSpec(ImageReference.parse(c[0]), Platform.parse(c[1]), "bench " + c[1]));
        }
        PublishRequest request = PublishRequest.builder()
                .target(settingsAddress(u.children().get(0)[0]) + "/" + u.repo())
                .tags(List.of(run + "-1.0", run + "-latest"))
                .sources(sources)
                .format(ListFormat.AUTO)
                .build();
        PublishResult r = new Publisher(client, LogListener.NONE).publish(request);
        if (r.children().size() != sources.size()) {
            throw new IllegalStateException("published " + r.children().size() + " children");
        }
    }

    private static String settingsAddress(String ref) {
        return ref.substring(0, ref.indexOf('/'));
    }

    static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    /** Every 20 ms: the engine's threads by name, and the TCP connections established to the registry's port. */
    private static final class Sampler implements Runnable {
        private final int port;
        private volatile boolean running = true;
        final AtomicInteger publishThreads = new AtomicInteger();
        final AtomicInteger httpThreads = new AtomicInteger();
        final AtomicInteger connections = new AtomicInteger();
        final AtomicLong samples = new AtomicLong();

        Sampler(int port) {
            this.port = port;
        }

        void stop() {
            running = false;
        }

        @Override
        public void run() {
            while (running) {
                int publish = 0;
                int http = 0;
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    String n = t.getName();
                    if (n.startsWith("multiarch-publish")) {
                        publish++;
                    } else if (n.startsWith("HttpClient-")) {
                        http++;
                    }
                }
                publishThreads.accumulateAndGet(publish, Math::max);
                httpThreads.accumulateAndGet(http, Math::max);
                if (port > 0) {
                    connections.accumulateAndGet(established(port), Math::max);
                }
                samples.incrementAndGet();
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /**
         * This JVM's TCP connections in state ESTABLISHED whose remote port is {@code port} (IPv4 and IPv6): the
         * socket inodes among its own file descriptors, so another process's connections are not counted.
         */
        static int established(int port) {
            String hex = String.format(Locale.ROOT, ":%04X", port);
            java.util.Set<String> mine = new java.util.HashSet<>();
            try (java.nio.file.DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
                for (Path fd : fds) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            mine.add(target.substring(8, target.length() - 1));
                        }
                    } catch (IOException gone) {
                        // closed meanwhile
                    }
                }
            } catch (IOException e) {
                return -1;
            }
            int n = 0;
            for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                try {
                    for (String line : Files.readAllLines(Path.of(file))) {
                        String[] f = line.strip().split("\\s+");
                        if (f.length > 9 && f[2].endsWith(hex) && f[3].equals("01") && mine.contains(f[9])) {
                            n++;
                        }
                    }
                } catch (IOException e) {
                    // no such table
                }
            }
            return n;
        }
    }
}
