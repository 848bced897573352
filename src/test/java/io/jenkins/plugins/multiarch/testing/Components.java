package io.jenkins.plugins.multiarch.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The real components tests talk to. {@link #require} fails a test loudly under CI ({@code CI=true}) when one is
 * missing, and skips it (JUnit assumption) with the reason elsewhere.
 *
 * <p>Environment the checks use (set by {@code eval "$(scripts/test-services.sh env)"}):
 * {@code DOCKER_HOST} (default: our private socket {@code unix:///run/multiarch-test/docker.sock} when it exists),
 * {@code MULTIARCH_BUSYBOX_ARM64} (default {@code /var/cache/multiarch-test/busybox-arm64}),
 * {@code MULTIARCH_BUSYBOX_AMD64} (default {@code /bin/busybox}).
 */
public final class Components {

    public static final String DEFAULT_DOCKER_SOCKET = "/run/multiarch-test/docker.sock";
    public static final String DEFAULT_BUSYBOX_ARM64 = "/var/cache/multiarch-test/busybox-arm64";
    public static final String DEFAULT_BUSYBOX_AMD64 = "/bin/busybox";

    /** One thing a test may need. */
    public enum Component {
        /** A Docker Engine answering on {@link #dockerHost()}. */
        DOCKERD,
        /** The docker CLI (talking to {@link #dockerHost()}). */
        DOCKER_CLI,
        BUILDAH,
        SKOPEO,
        /** binfmt_misc qemu-aarch64 enabled and the arm64 busybox really runs ({@code uname -m} = aarch64). */
        QEMU_AARCH64,
        /** The docker-registry binary (distribution 2.8). */
        REGISTRY,
        OPENSSL,
        CURL,
        /** Both busybox binaries for the offline base image (amd64 and arm64 ELF files). */
        BUSYBOX
    }

    private static final Map<Component, Optional<String>> CACHE = new ConcurrentHashMap<>();

    private Components() {}

    /** True when the environment says we run in CI, where nothing may be skipped. */
    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Fails (CI) or skips (elsewhere) the calling test unless every component is there. */
    public static void require(Component... components) {
        List<String> problems = new ArrayList<>();
        for (Component c : components) {
            problem(c).ifPresent(p -> problems.add(c + ": " + p));
        }
        if (problems.isEmpty()) {
            return;
        }
        unavailable("missing test component(s): " + String.join("; ", problems));
    }

    /** Fails (CI) or skips (elsewhere) the calling test because what it needs is not there. */
    public static void unavailable(String reason) {
        String full = reason
                + " (run 'bash .ci/run', or 'scripts/test-services.sh start' then eval \"$(scripts/test-services.sh env)\")";
        if (underCi()) {
            Assertions.fail("CI=true and " + full);
        }
        Assumptions.abort(full);
    }

    public static boolean isAvailable(Component c) {
        return problem(c).isEmpty();
    }

    /** Why the component is unusable, or empty when it works. Checked once per JVM. */
    public static Optional<String> problem(Component c) {
        return CACHE.computeIfAbsent(c, Components::check);
    }

    /** DOCKER_HOST, else our private engine's socket when it exists, else Docker's default socket. */
    public static String dockerHost() {
        String env = System.getenv("DOCKER_HOST");
        if (env != null && !env.isBlank()) {
            return env;
        }
        if (Files.exists(Path.of(DEFAULT_DOCKER_SOCKET))) {
            return "unix://" + DEFAULT_DOCKER_SOCKET;
        }
        return "unix:///var/run/docker.sock";
    }

    /** Environment to give a docker CLI child process so it talks to {@link #dockerHost()}. */
    public static Map<String, String> dockerEnv() {
        return Map.of("DOCKER_HOST", dockerHost(), "DOCKER_BUILDKIT", "0");
    }

    public static Path busyboxArm64() {
        return Path.of(envOr("MULTIARCH_BUSYBOX_ARM64", DEFAULT_BUSYBOX_ARM64));
    }

    public static Path busyboxAmd64() {
        return Path.of(envOr("MULTIARCH_BUSYBOX_AMD64", DEFAULT_BUSYBOX_AMD64));
    }

    /** The absolute path of an executable on PATH, if any. */
    public static Optional<Path> onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        List<String> dirs = new ArrayList<>(List.of(path.split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin")); // root tools are often missing from a user's PATH
        for (String dir : dirs) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static Optional<String> check(Component c) {
        try {
            return switch (c) {
                case DOCKERD -> checkDockerd();
                case DOCKER_CLI -> tool("docker", "version", "--format", "{{.Server.Version}}");
                case BUILDAH -> tool("buildah", "--version");
                case SKOPEO -> tool("skopeo", "--version");
                case REGISTRY -> tool("docker-registry", "--version");
                case OPENSSL -> tool("openssl", "version");
                case CURL -> tool("curl", "--version");
                case QEMU_AARCH64 -> checkQemu();
                case BUSYBOX -> checkBusybox();
            };
        } catch (RuntimeException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static Optional<String> tool(String name, String... args) {
        Optional<Path> exe = onPath(name);
        if (exe.isEmpty()) {
            return Optional.of(name + " not on PATH");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.get().toString());
        cmd.addAll(List.of(args));
        Exec.Result r = Exec.run(cmd, Duration.ofSeconds(30), dockerEnv(), null, null);
        return r.ok()
                ? Optional.empty()
                : Optional.of(String.join(" ", cmd) + " exited " + r.exitCode() + ": "
                        + r.stderr().strip());
    }

    private static Optional<String> checkDockerd() {
        String host = dockerHost();
        String request = "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n";
        try {
            SocketChannel ch;
            if (host.startsWith("unix://")) {
                Path sock = Path.of(host.substring("unix://".length()));
                if (!Files.exists(sock)) {
                    return Optional.of("no Docker socket at " + sock + " (DOCKER_HOST=" + host + ")");
                }
                ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(sock));
            } else if (host.startsWith("tcp://")) {
                URI u = URI.create(host);
                ch = SocketChannel.open(new InetSocketAddress(u.getHost(), u.getPort()));
            } else {
                return Optional.of("unsupported DOCKER_HOST " + host);
            }
            try (ch) {
                ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer buf = ByteBuffer.allocate(4096);
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (ch.read(buf) >= 0 && System.nanoTime() < deadline && buf.hasRemaining()) {
                    // read until the engine closes (HTTP/1.0)
                }
                String answer = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
                return answer.startsWith("HTTP/1.") && answer.contains(" 200 ") && answer.endsWith("OK")
                        ? Optional.empty()
                        : Optional.of("Docker engine at " + host + " answered /_ping with: "
                                + answer.lines().findFirst().orElse("nothing"));
            }
        } catch (IOException e) {
            return Optional.of("Docker engine at " + host + " unreachable: " + e);
        }
    }

    private static Optional<String> checkBusybox() {
        for (Path p : List.of(busyboxAmd64(), busyboxArm64())) {
            if (!Files.isRegularFile(p)) {
                return Optional.of("no busybox at " + p + " (scripts/test-services.sh prepare fetches the arm64 one)");
            }
        }
        if (elfMachine(busyboxArm64()) != 0xB7) {
            return Optional.of(busyboxArm64() + " is not an aarch64 ELF binary");
        }
        if (elfMachine(busyboxAmd64()) != 0x3E) {
            return Optional.of(busyboxAmd64() + " is not an x86-64 ELF binary");
        }
        return Optional.empty();
    }

    private static Optional<String> checkQemu() {
        Path entry = Path.of("/proc/sys/fs/binfmt_misc/qemu-aarch64");
        try {
            if (!Files.exists(entry)
                    || !Files.readString(entry).lines().findFirst().orElse("").equals("enabled")) {
                return Optional.of("binfmt_misc entry qemu-aarch64 not enabled (update-binfmts --enable qemu-aarch64)");
            }
        } catch (IOException e) {
            return Optional.of("cannot read " + entry + ": " + e);
        }
        Optional<String> bb = checkBusybox();
        if (bb.isPresent()) {
            return bb;
        }
        Exec.Result r = Exec.run(List.of(busyboxArm64().toString(), "uname", "-m"), Duration.ofSeconds(20));
        return r.ok() && r.stdout().strip().equals("aarch64")
                ? Optional.empty()
                : Optional.of("the arm64 busybox does not run under emulation: exit " + r.exitCode() + " " + r.stdout()
                        + r.stderr());
    }

    /** ELF e_machine of a file (0x3E x86-64, 0xB7 aarch64), or -1. */
    public static int elfMachine(Path file) {
        try (var in = Files.newInputStream(file)) {
            byte[] h = in.readNBytes(20);
            if (h.length < 20 || h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F') {
                return -1;
            }
            return (h[18] & 0xff) | (h[19] & 0xff) << 8;
        } catch (IOException e) {
            return -1;
        }
    }

    /** ELF e_machine of bytes (0x3E x86-64, 0xB7 aarch64), or -1. */
    public static int elfMachine(byte[] h) {
        if (h.length < 20 || h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F') {
            return -1;
        }
        return (h[18] & 0xff) | (h[19] & 0xff) << 8;
    }
}
