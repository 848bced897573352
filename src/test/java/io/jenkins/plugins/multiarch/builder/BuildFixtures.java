package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.Exec;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Shared pieces of the builder tests: the offline example, a captured log, registry clients, the docker CLI. */
public final class BuildFixtures {

    private BuildFixtures() {}

    /** The repository's examples/offline folder (tests run with core/ as the working directory). */
    public static Path offlineExample() {
        for (Path p : List.of(Path.of("../examples/offline"), Path.of("examples/offline"))) {
            if (Files.isRegularFile(p.resolve("Dockerfile"))) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException(
                "examples/offline not found from " + Path.of("").toAbsolutePath());
    }

    /** A context folder with this Dockerfile. */
    public static Path context(Path dir, String dockerfile) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("Dockerfile"), dockerfile);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RegistryClient client(RegistryServer registry, CredentialsSource credentials) {
        return new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(registry.hostPort())
                .credentials(credentials)
                .build());
    }

    /** Runs the docker CLI against the test engine; fails with its output unless it exits 0. */
    public static String docker(String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        return Exec.run(cmd, Duration.ofMinutes(3), Components.dockerEnv(), null, null)
                .orThrow()
                .stdout()
                .strip();
    }

    /** Pulls the list for one platform and runs it with no network: what the image prints. */
    public static String pullAndRun(String reference, String platform) {
        docker("pull", "--platform", platform, reference);
        return docker("run", "--rm", "--network", "none", reference);
    }

    /** Live processes whose command line contains {@code marker} (this machine; root sees every process). */
    public static List<String> processesMatching(String marker) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.pid() != ProcessHandle.current().pid())
                .map(h -> h.pid() + " " + h.info().commandLine().orElse(""))
                .filter(line -> line.contains(marker))
                .toList();
    }

    /** Polls until some process's command line contains {@code marker}; false after {@code timeout}. */
    public static boolean awaitProcess(String marker, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!processesMatching(marker).isEmpty()) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** Polls until no process's command line contains {@code marker}; what is left after {@code timeout}. */
    public static List<String> awaitNoProcess(String marker, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> left = processesMatching(marker);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            left = processesMatching(marker);
        }
        return left;
    }

    /** A build run on its own thread, so the test can interrupt it as a Jenkins abort does. */
    public static final class Interruptible<T> {
        private final Thread thread;
        private volatile T result;
        private volatile Throwable failure;
        private volatile boolean interruptFlagAfter;
        private volatile long endedAt;

        public Interruptible(String name, java.util.function.Supplier<T> work) {
            this.thread = new Thread(
                    () -> {
                        try {
                            result = work.get();
                        } catch (Throwable t) {
                            failure = t;
                        } finally {
                            interruptFlagAfter = Thread.currentThread().isInterrupted();
                            endedAt = System.nanoTime();
                        }
                    },
                    name);
            thread.setDaemon(true);
            thread.start();
        }

        /** Interrupts the build; returns how long it took to end (or null if it did not end within {@code wait}). */
        public Duration interruptAndJoin(Duration wait) throws InterruptedException {
            long at = System.nanoTime();
            thread.interrupt();
            thread.join(wait.toMillis());
            return thread.isAlive() ? null : Duration.ofNanos(endedAt - at);
        }

        public boolean isAlive() {
            return thread.isAlive();
        }

        public T result() {
            return result;
        }

        public Throwable failure() {
            return failure;
        }

        /** Whether the build's thread still had its interrupt flag set when the build returned. */
        public boolean interruptFlagAfter() {
            return interruptFlagAfter;
        }
    }

    /** Every line a listener got, for assertions. */
    public static final class CapturingListener implements LogListener {
        public final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void log(Level level, String message) {
            lines.add(level + " " + message);
        }

        public String text() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }
}
