package io.jenkins.plugins.multiarch.image;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An image platform as OCI descriptors and image configs carry it. The record holds exactly what it was
 * given (so what a registry says can be shown back verbatim); {@link #normalize()} applies containerd's
 * rules ({@code aarch64} = {@code arm64}, {@code arm64/v8} = {@code arm64}, {@code armhf} = {@code arm/v7},
 * ...) and {@link #matches(Platform)} compares normalised forms.
 *
 * @param os          e.g. {@code linux}
 * @param architecture e.g. {@code arm64}
 * @param variant     e.g. {@code v7}, or null
 * @param osVersion   e.g. {@code 10.0.17763.1234} for Windows, or null
 * @param osFeatures  e.g. {@code win32k}, empty when none
 */
public record Platform(String os, String architecture, String variant, String osVersion, List<String> osFeatures)
        implements Comparable<Platform> {

    /** The placeholder platform buildx gives attestation manifests inside an index. */
    public static final Platform UNKNOWN = new Platform("unknown", "unknown", null, null, List.of());

    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final String EXAMPLE = "e.g. linux/amd64, linux/arm64 or linux/arm/v7";

    /** Deterministic order: os, architecture, variant, os.version, os.features (absent before present). */
    public static final Comparator<Platform> ORDER = Comparator.comparing(Platform::os)
            .thenComparing(Platform::architecture)
            .thenComparing(Platform::variant, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(Platform::osVersion, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(p -> String.join(",", p.osFeatures()));

    public Platform {
        if (os == null || os.isBlank() || architecture == null || architecture.isBlank()) {
            throw new InvalidInputException("invalid platform '" + os + "/" + architecture
                    + "': os and architecture must both be given, " + EXAMPLE);
        }
        variant = emptyToNull(variant);
        osVersion = emptyToNull(osVersion);
        osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
    }

    public static Platform of(String os, String architecture) {
        return new Platform(os, architecture, null, null, List.of());
    }

    public static Platform of(String os, String architecture, String variant) {
        return new Platform(os, architecture, variant, null, List.of());
    }

    /**
     * A list of platforms as users give them (the CLI's {@code --platform}, the steps' {@code platforms}, the
     * forms' lines): each by {@link #parse}, none twice once normalised ({@code linux/arm64} and
     * {@code linux/arm64/v8} are one platform).
     */
    public static List<Platform> parseDistinct(Collection<String> values) {
        List<Platform> out = new ArrayList<>();
        Map<Platform, String> seen = new HashMap<>();
        if (values != null) {
            for (String value : values) {
                String written = value == null ? "" : value.strip();
                Platform p = parse(written);
                String before = seen.putIfAbsent(p.normalize(), written);
                if (before != null) {
                    throw new InvalidInputException("platform " + p.normalize() + " is given twice ("
                            + (before.equals(written) ? before : before + " and " + written)
                            + "): name each platform once");
                }
                out.add(p);
            }
        }
        return List.copyOf(out);
    }

    /** Parses {@code os/arch} or {@code os/arch/variant} as written (not normalised). */
    public static Platform parse(String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException("invalid platform '" + value + "': it is empty, " + EXAMPLE);
        }
        String[] parts = value.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new InvalidInputException(
                    "invalid platform '" + value + "': it must be os/architecture[/variant], " + EXAMPLE);
        }
        for (String part : parts) {
            if (part.isEmpty()) {
                throw new InvalidInputException(
                        "invalid platform '" + value + "': it has an empty part (stray '/'), " + EXAMPLE);
            }
            if (!PART.matcher(part).matches()) {
                throw new InvalidInputException("invalid platform '" + value + "': '" + part
                        + "' may contain only letters, digits, '_', '.' and '-', " + EXAMPLE);
            }
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : null, null, List.of());
    }

    /** This platform with os and architecture/variant normalised as containerd's {@code platforms.Normalize}. */
    public Platform normalize() {
        String nOs = os.toLowerCase(Locale.ROOT);
        if (nOs.equals("macos")) {
            nOs = "darwin";
        }
        String arch = architecture.toLowerCase(Locale.ROOT);
        String var = variant == null ? "" : variant.toLowerCase(Locale.ROOT);
        switch (arch) {
            case "i386":
            case "i486":
            case "i586":
            case "i686":
            case "x86":
            case "386":
                // containerd maps only i386; the others are what uname -m and the JVM say for the same thing
                arch = "386";
                var = "";
                break;
            case "x86_64":
            case "x86-64":
            case "amd64":
                arch = "amd64";
                if (var.equals("v1")) {
                    var = "";
                }
                break;
            case "aarch64":
            case "arm64":
                arch = "arm64";
                if (var.equals("8") || var.equals("v8")) {
                    var = "";
                }
                break;
            case "armhf":
                arch = "arm";
                var = "v7";
                break;
            case "armel":
                arch = "arm";
                var = "v6";
                break;
            case "armv7l":
            case "armv7":
                arch = "arm";
                var = "v7";
                break;
            case "armv6l":
            case "armv6":
                arch = "arm";
                var = "v6";
                break;
            case "armv5tel":
            case "armv5l":
            case "armv5":
                arch = "arm";
                var = "v5";
                break;
            case "arm":
                switch (var) {
                    case "":
                    case "7":
                        var = "v7";
                        break;
                    case "5":
                    case "6":
                    case "8":
                        var = "v" + var;
                        break;
                    default:
                        break;
                }
                break;
            case "mips64el":
                arch = "mips64le";
                break;
            case "ppc64el":
                arch = "ppc64le";
                break;
            default:
                break;
        }
        return new Platform(nOs, arch, var, osVersion, osFeatures);
    }

    /**
     * True when both name the same platform after normalisation: os, architecture and variant must agree;
     * os.version is compared only when both carry one (Windows images).
     */
    public boolean matches(Platform other) {
        if (other == null) {
            return false;
        }
        Platform a = normalize();
        Platform b = other.normalize();
        return a.os.equals(b.os)
                && a.architecture.equals(b.architecture)
                && Objects.equals(a.variant, b.variant)
                && (a.osVersion == null || b.osVersion == null || a.osVersion.equals(b.osVersion));
    }

    /** The {@code unknown/unknown} placeholder of attestation manifests. */
    public boolean isUnknown() {
        return "unknown".equals(os) && "unknown".equals(architecture);
    }

    /**
     * The linux platform for a {@code uname -m} value (x86_64, aarch64, armv7l, armv6l, i686, ppc64le, s390x,
     * riscv64, mips64, ...) or a JVM {@code os.arch} value (amd64, aarch64, arm, x86, ...), normalised.
     */
    public static Platform fromUname(String machine) {
        if (machine == null || machine.isBlank()) {
            throw new InvalidInputException("unknown machine architecture '" + machine
                    + "': it is empty, e.g. x86_64 or aarch64 as `uname -m` prints");
        }
        String m = machine.strip().toLowerCase(Locale.ROOT);
        switch (m) {
            case "x86_64":
            case "x86-64":
            case "amd64":
                return of("linux", "amd64");
            case "aarch64":
            case "arm64":
            case "armv8":
                return of("linux", "arm64");
            case "armv7l":
            case "armv7":
            case "armv8l": // a 32-bit userland on a 64-bit ARM CPU runs arm/v7 binaries
            case "arm":
            case "armhf":
                return of("linux", "arm", "v7");
            case "armv6l":
            case "armv6":
            case "armel":
                return of("linux", "arm", "v6");
            case "armv5tel":
            case "armv5l":
                return of("linux", "arm", "v5");
            case "i386":
            case "i486":
            case "i586":
            case "i686":
            case "x86":
            case "386":
                return of("linux", "386");
            case "ppc64le":
            case "ppc64el":
                return of("linux", "ppc64le");
            case "s390x":
                return of("linux", "s390x");
            case "riscv64":
                return of("linux", "riscv64");
            case "mips64":
                return of("linux", "mips64");
            case "mips64le":
            case "mips64el":
                return of("linux", "mips64le");
            case "loongarch64":
            case "loong64":
                return of("linux", "loong64");
            default:
                break;
        }
        throw new InvalidInputException("unknown machine architecture '" + machine
                + "': expected a `uname -m` or JVM os.arch value such as x86_64, aarch64, armv7l, armv6l, i686,"
                + " ppc64le, s390x or riscv64; name the platform explicitly instead, e.g. linux/arm64");
    }

    /** The platform of this JVM (os.name and os.arch), normalised. */
    public static Platform current() {
        String osName = System.getProperty("os.name", "linux").toLowerCase(Locale.ROOT);
        String os;
        if (osName.startsWith("windows")) {
            os = "windows";
        } else if (osName.startsWith("mac") || osName.startsWith("darwin")) {
            os = "darwin";
        } else if (osName.startsWith("freebsd")) {
            os = "freebsd";
        } else {
            os = "linux";
        }
        Platform arch = fromUname(System.getProperty("os.arch", ""));
        return new Platform(os, arch.architecture, arch.variant, null, List.of());
    }

    /**
     * The linux platform for a docker-library architecture name, the prefix/suffix of repositories such as
     * {@code arm64v8/busybox}: amd64, arm32v5, arm32v6, arm32v7, arm64v8, i386, ppc64le, s390x, riscv64,
     * mips64le; also {@code windows-amd64}.
     */
    public static Platform fromDockerLibraryArch(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        switch (n) {
            case "amd64":
                return of("linux", "amd64");
            case "arm32v5":
                return of("linux", "arm", "v5");
            case "arm32v6":
                return of("linux", "arm", "v6");
            case "arm32v7":
                return of("linux", "arm", "v7");
            case "arm64v8":
                return of("linux", "arm64", "v8");
            case "i386":
                return of("linux", "386");
            case "ppc64le":
                return of("linux", "ppc64le");
            case "s390x":
                return of("linux", "s390x");
            case "riscv64":
                return of("linux", "riscv64");
            case "mips64le":
                return of("linux", "mips64le");
            case "windows-amd64":
                return of("windows", "amd64");
            default:
                throw new InvalidInputException("unknown docker-library architecture '" + name
                        + "': expected one of amd64, arm32v5, arm32v6, arm32v7, arm64v8, i386, ppc64le, s390x,"
                        + " riscv64, mips64le, windows-amd64");
        }
    }

    /** The docker-library architecture name of this platform (after normalisation), e.g. {@code arm64v8}. */
    public String dockerLibraryArch() {
        Platform n = normalize();
        if (n.os.equals("windows") && n.architecture.equals("amd64")) {
            return "windows-amd64";
        }
        if (n.os.equals("linux")) {
            switch (n.architecture) {
                case "amd64":
                case "ppc64le":
                case "s390x":
                case "riscv64":
                case "mips64le":
                    if (n.variant == null) {
                        return n.architecture;
                    }
                    break;
                case "386":
                    return "i386";
                case "arm64":
                    if (n.variant == null) {
                        return "arm64v8";
                    }
                    break;
                case "arm":
                    if ("v5".equals(n.variant) || "v6".equals(n.variant) || "v7".equals(n.variant)) {
                        return "arm32" + n.variant;
                    }
                    break;
                default:
                    break;
            }
        }
        throw new InvalidInputException("platform '" + this + "' has no docker-library architecture name;"
                + " those exist for linux amd64, arm/v5, arm/v6, arm/v7, arm64, 386, ppc64le, s390x, riscv64,"
                + " mips64le and windows/amd64");
    }

    /** This platform with another variant (null for none). */
    public Platform withVariant(String newVariant) {
        return new Platform(os, architecture, newVariant, osVersion, osFeatures);
    }

    /** This platform without os.version and os.features: the {@code os/arch[/variant]} triple only. */
    public Platform withoutOsDetails() {
        return new Platform(os, architecture, variant, null, List.of());
    }

    @Override
    public int compareTo(Platform other) {
        return ORDER.compare(this, other);
    }

    /** {@code os/arch[/variant]} of what this record holds (not normalised). */
    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
