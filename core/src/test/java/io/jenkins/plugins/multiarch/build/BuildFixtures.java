package io.jenkins.plugins.multiarch.build;

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

    private BuildFixtures() {
    }

    /** The repository's examples/offline folder (tests run with core/ as the working directory). */
    public static Path offlineExample() {
        for (Path p : List.of(Path.of("../examples/offline"), Path.of("examples/offline"))) {
            if (Files.isRegularFile(p.resolve("Dockerfile"))) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("examples/offline not found from " + Path.of("").toAbsolutePath());
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
        return new RegistryClient(RegistrySettings.builder().insecureRegistry(registry.hostPort())
                .credentials(credentials).build());
    }

    /** Runs the docker CLI against the test engine; fails with its output unless it exits 0. */
    public static String docker(String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        return Exec.run(cmd, Duration.ofMinutes(3), Components.dockerEnv(), null, null).orThrow().stdout().strip();
    }

    /** Pulls the list for one platform and runs it with no network: what the image prints. */
    public static String pullAndRun(String reference, String platform) {
        docker("pull", "--platform", platform, reference);
        return docker("run", "--rm", "--network", "none", reference);
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
