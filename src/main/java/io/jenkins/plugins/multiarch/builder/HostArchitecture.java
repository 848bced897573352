package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.image.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The platform a builder really runs on, and the guard that refuses to build for another one unless
 * emulation was asked for. The Docker Engine reports its own architecture (it may be remote); buildah
 * runs here, so {@code uname -m} answers.
 */
public final class HostArchitecture {

    private HostArchitecture() {}

    /** This machine's platform from {@code uname -m}, falling back to the JVM's os.arch. */
    public static Platform ofThisMachine() {
        try {
            Process p =
                    new ProcessBuilder("uname", "-m").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty()) {
                return Platform.fromUname(out);
            }
        } catch (IOException e) {
            // no uname (Windows): the JVM knows
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Platform.current();
    }

    /** The platform for an engine's reported {@code Architecture} (Docker's info says {@code x86_64}, {@code aarch64}). */
    public static Platform fromEngine(String os, String architecture) {
        Platform arch = Platform.fromUname(architecture);
        String o = os == null || os.isBlank() ? "linux" : os.strip().toLowerCase(java.util.Locale.ROOT);
        return new Platform(o, arch.architecture(), arch.variant(), null, java.util.List.of());
    }

    /** Whether building {@code requested} on {@code host} needs emulation. */
    public static boolean isEmulated(Platform requested, Platform host) {
        return !requested.matches(host);
    }

    /**
     * Fails, before anything is built, when the platform is not the host's own and emulation was not
     * allowed. Returns whether the build will be emulated.
     */
    public static boolean guard(BuildRequest request, Platform host, String builderName, LogListener listener) {
        boolean emulated = isEmulated(request.platform(), host);
        if (emulated && !request.allowEmulation()) {
            throw new InvalidInputException("platform " + request.platform() + " is not native to " + builderName
                    + ", which runs on " + host + ": build it on a " + request.platform()
                    + " agent, or allow emulation (--allow-emulation; needs qemu-user-static and binfmt_misc) "
                    + "knowing that emulated builds are much slower");
        }
        if (emulated) {
            listener.warn("building " + request.platform() + " under emulation on a " + host + " host (" + builderName
                    + "); the record marks it as emulated");
        }
        return emulated;
    }

    /**
     * For a local builder: whether binfmt_misc has an enabled handler for the platform's architecture
     * (qemu-aarch64 and the like). Without one, a RUN step of that platform cannot execute.
     */
    public static boolean localEmulatorAvailable(Platform platform) {
        String qemu =
                switch (platform.normalize().architecture()) {
                    case "arm64" -> "qemu-aarch64";
                    case "arm" -> "qemu-arm";
                    case "amd64" -> "qemu-x86_64";
                    case "386" -> "qemu-i386";
                    case "ppc64le" -> "qemu-ppc64le";
                    case "s390x" -> "qemu-s390x";
                    case "riscv64" -> "qemu-riscv64";
                    case "mips64le" -> "qemu-mips64el";
                    default -> null;
                };
        if (qemu == null) {
            return false;
        }
        Path entry = Path.of("/proc/sys/fs/binfmt_misc", qemu);
        try {
            return Files.isRegularFile(entry) && Files.readString(entry).startsWith("enabled");
        } catch (IOException e) {
            return false;
        }
    }
}
