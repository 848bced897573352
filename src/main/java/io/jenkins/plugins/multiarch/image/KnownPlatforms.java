package io.jenkins.plugins.multiarch.image;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operating systems and architectures an image can name (Go's {@code GOOS} and {@code GOARCH}, which the OCI
 * image spec takes its values from, after containerd's normalisation): a platform the user gives must be one of
 * them, so that a typo ({@code linux/amd65}) is bad input (exit 2) and not a platform mismatch found in the
 * registry (exit 3) or a required platform that is never there.
 */
public final class KnownPlatforms {

    private static final Set<String> OS = Set.of(
            "aix",
            "android",
            "darwin",
            "dragonfly",
            "freebsd",
            "hurd",
            "illumos",
            "ios",
            "js",
            "linux",
            "nacl",
            "netbsd",
            "openbsd",
            "plan9",
            "solaris",
            "wasip1",
            "windows",
            "zos");

    private static final Set<String> ARCH = Set.of(
            "386",
            "amd64",
            "amd64p32",
            "arm",
            "arm64",
            "arm64be",
            "armbe",
            "loong64",
            "mips",
            "mips64",
            "mips64le",
            "mips64p32",
            "mips64p32le",
            "mipsle",
            "ppc",
            "ppc64",
            "ppc64le",
            "riscv",
            "riscv64",
            "s390",
            "s390x",
            "sparc",
            "sparc64",
            "wasm");

    private KnownPlatforms() {}

    /**
     * Returns {@code platform} when its os and architecture are known.
     *
     * @param what how the input is named in the message, e.g. {@code --source 'reg/app:1=linux/amd65'}
     * @throws InvalidInputException naming the unknown part and the known values
     */
    public static Platform require(String what, Platform platform) {
        Platform n = platform.normalize();
        if (!OS.contains(n.os())) {
            throw new InvalidInputException(what + ": unknown operating system '" + platform.os() + "' in " + platform
                    + "; known: " + new TreeSet<>(OS) + ", e.g. linux/arm64");
        }
        if (!ARCH.contains(n.architecture())) {
            throw new InvalidInputException(what + ": unknown architecture '" + platform.architecture() + "' in "
                    + platform + "; known: " + new TreeSet<>(ARCH) + " (and aliases such as x86_64, aarch64, "
                    + "armhf), e.g. linux/arm64");
        }
        return platform;
    }

    /** {@link Platform#parse} of a value the user gave, then {@link #require}. */
    public static Platform parse(String what, String value) {
        return require(what, Platform.parse(value));
    }
}
