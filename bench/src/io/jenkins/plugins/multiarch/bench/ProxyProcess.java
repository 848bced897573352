package io.jenkins.plugins.multiarch.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@link DelayProxy} in a JVM of its own in front of one registry: {@link #hostPort()} is where the tools
 * go instead of the registry. Its CPU is that process's ({@link #cpuNanos()}), apart from every tool's.
 */
final class ProxyProcess implements AutoCloseable {

    /** What the proxy counted since the last {@link #reset()}. */
    /** {@code active}: connections that carried bytes (new or reused); {@code peak}: most open at once. */
    record Stats(int accepted, int open, int peak, int active, long up, long down) {}

    private final Process process;
    private final PrintStream control;
    private final BufferedReader replies;
    private final int port;
    final long delayMillis;

    ProxyProcess(String upstreamHostPort, long delayMillis, double bandwidthMbit) {
        this.delayMillis = delayMillis;
        try {
            process = new ProcessBuilder(List.of(
                            Tools.javaExecutable(),
                            "-Xss256k",
                            "-XX:+UseSerialGC",
                            "-XX:TieredStopAtLevel=1",
                            "-cp",
                            System.getProperty("java.class.path"),
                            DelayProxy.class.getName(),
                            upstreamHostPort,
                            String.valueOf(delayMillis),
                            String.valueOf(bandwidthMbit)))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the delaying proxy", e);
        }
        control = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String first = reply();
        if (!first.startsWith("LISTEN ")) {
            close();
            throw new IllegalStateException("the delaying proxy did not start: " + first);
        }
        port = Integer.parseInt(first.substring("LISTEN ".length()).strip());
    }

    String hostPort() {
        return "127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    /** Process CPU time (user + system) of the proxy so far, ns (10 ms ticks). */
    long cpuNanos() {
        return Tools.cpuOfProcess(process.pid());
    }

    Stats stats() {
        control.println("STATS");
        Map<String, Long> kv = new LinkedHashMap<>();
        for (String f : reply().substring("STATS ".length()).split(" ")) {
            int eq = f.indexOf('=');
            kv.put(f.substring(0, eq), Long.parseLong(f.substring(eq + 1)));
        }
        return new Stats(
                kv.get("accepted").intValue(),
                kv.get("open").intValue(),
                kv.get("peak").intValue(),
                kv.get("active").intValue(),
                kv.get("up"),
                kv.get("down"));
    }

    void reset() {
        control.println("RESET");
        String r = reply();
        if (!r.equals("OK")) {
            throw new IllegalStateException("proxy: " + r);
        }
    }

    private String reply() {
        try {
            String line = replies.readLine();
            if (line == null) {
                throw new IllegalStateException("the delaying proxy exited");
            }
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        control.close(); // stdin closed: the proxy exits by itself
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
