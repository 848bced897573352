package io.jenkins.plugins.multiarch.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PlatformTest {

    @Test
    void parseKeepsWhatWasWritten() {
        Platform p = Platform.parse("linux/arm64/v8");
        assertThat(p.os()).isEqualTo("linux");
        assertThat(p.architecture()).isEqualTo("arm64");
        assertThat(p.variant()).isEqualTo("v8");
        assertThat(p.osVersion()).isNull();
        assertThat(p.osFeatures()).isEmpty();
        assertThat(p.toString()).isEqualTo("linux/arm64/v8");
        Platform amd = Platform.parse("linux/amd64");
        assertThat(amd).isEqualTo(Platform.of("linux", "amd64"));
        assertThat(amd.variant()).isNull();
        assertThat(amd.toString()).isEqualTo("linux/amd64");
        assertThat(Platform.parse("Linux/x86_64").toString())
                .as("parse does not normalise")
                .isEqualTo("Linux/x86_64");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "''| it is empty",
                "linux| os/architecture[/variant]",
                "amd64| os/architecture[/variant]",
                "linux/arm/v7/extra| os/architecture[/variant]",
                "linux/| empty part",
                "/amd64| empty part",
                "linux//v7| empty part",
                "linux/arm/| empty part",
                "linux/amd 64| may contain only",
                "linux/amd64:latest| may contain only",
            })
    void rejectsBadPlatformStrings(String input, String rule) {
        assertThatThrownBy(() -> Platform.parse(input))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("invalid platform '" + input + "'")
                .hasMessageContaining(rule)
                .hasMessageContaining("e.g. linux/amd64");
    }

    @Test
    void recordRequiresOsAndArchitecture() {
        assertThatThrownBy(() -> new Platform("linux", "", null, null, null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new Platform(null, "amd64", null, null, null))
                .isInstanceOf(InvalidInputException.class);
        Platform p = new Platform("linux", "amd64", "", "", null);
        assertThat(p.variant()).as("empty variant is absent").isNull();
        assertThat(p.osVersion()).isNull();
        assertThat(p.osFeatures()).isEmpty();
    }

    /** os/arch/variant as written | normalised */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "linux/x86_64| linux/amd64",
                "linux/x86-64| linux/amd64",
                "linux/amd64| linux/amd64",
                "linux/amd64/v1| linux/amd64",
                "linux/amd64/v3| linux/amd64/v3",
                "linux/aarch64| linux/arm64",
                "linux/arm64| linux/arm64",
                "linux/arm64/v8| linux/arm64",
                "linux/arm64/8| linux/arm64",
                "linux/aarch64/v8| linux/arm64",
                "linux/arm64/v9| linux/arm64/v9",
                "linux/armhf| linux/arm/v7",
                "linux/armel| linux/arm/v6",
                "linux/arm| linux/arm/v7",
                "linux/arm/7| linux/arm/v7",
                "linux/arm/v7| linux/arm/v7",
                "linux/arm/6| linux/arm/v6",
                "linux/arm/5| linux/arm/v5",
                "linux/arm/8| linux/arm/v8",
                "linux/armv7l| linux/arm/v7",
                "linux/armv6l| linux/arm/v6",
                "linux/i386| linux/386",
                "linux/i686| linux/386",
                "linux/386| linux/386",
                "linux/ppc64le| linux/ppc64le",
                "linux/s390x| linux/s390x",
                "linux/riscv64| linux/riscv64",
                "linux/mips64le| linux/mips64le",
                "linux/mips64el| linux/mips64le",
                "Linux/AMD64| linux/amd64",
                "macos/arm64| darwin/arm64",
                "MacOS/aarch64| darwin/arm64",
                "windows/amd64| windows/amd64",
                "unknown/unknown| unknown/unknown",
            })
    void normalisesAsContainerd(String written, String normalised) {
        Platform p = Platform.parse(written);
        assertThat(p.normalize().toString()).isEqualTo(normalised);
        assertThat(p.normalize().normalize()).as("idempotent").isEqualTo(p.normalize());
        assertThat(p.matches(Platform.parse(normalised))).isTrue();
        assertThat(Platform.parse(normalised).matches(p)).isTrue();
    }

    @Test
    void matchesComparesNormalisedForms() {
        assertThat(Platform.parse("linux/arm64/v8").matches(Platform.parse("linux/arm64")))
                .isTrue();
        assertThat(Platform.parse("linux/arm/v7").matches(Platform.parse("linux/arm/v6")))
                .isFalse();
        assertThat(Platform.parse("linux/arm").matches(Platform.parse("linux/arm/v6")))
                .isFalse();
        assertThat(Platform.parse("linux/amd64").matches(Platform.parse("linux/arm64")))
                .isFalse();
        assertThat(Platform.parse("linux/amd64").matches(Platform.parse("windows/amd64")))
                .isFalse();
        assertThat(Platform.parse("linux/amd64").matches(Platform.parse("linux/amd64/v2")))
                .isFalse();
        assertThat(Platform.parse("linux/amd64").matches(null)).isFalse();
        Platform win1 = new Platform("windows", "amd64", null, "10.0.17763.1", List.of());
        Platform win2 = new Platform("windows", "amd64", null, "10.0.20348.1", List.of());
        assertThat(win1.matches(win2)).as("different os.version").isFalse();
        assertThat(win1.matches(Platform.parse("windows/amd64")))
                .as("os.version only compared when both have one")
                .isTrue();
    }

    @Test
    void normalizeKeepsOsVersionAndFeatures() {
        Platform win = new Platform("Windows", "x86_64", null, "10.0.17763.1", List.of("win32k"));
        Platform n = win.normalize();
        assertThat(n).isEqualTo(new Platform("windows", "amd64", null, "10.0.17763.1", List.of("win32k")));
        assertThat(n.withoutOsDetails()).isEqualTo(Platform.parse("windows/amd64"));
    }

    /** uname -m or os.arch | platform */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "x86_64| linux/amd64",
                "aarch64| linux/arm64",
                "arm64| linux/arm64",
                "armv7l| linux/arm/v7",
                "armv6l| linux/arm/v6",
                "armv8l| linux/arm/v7",
                "i686| linux/386",
                "i386| linux/386",
                "ppc64le| linux/ppc64le",
                "s390x| linux/s390x",
                "riscv64| linux/riscv64",
                "mips64| linux/mips64",
                "mips64le| linux/mips64le",
                // JVM os.arch values
                "amd64| linux/amd64",
                "arm| linux/arm/v7",
                "x86| linux/386",
                "AMD64| linux/amd64",
            })
    void fromUname(String machine, String expected) {
        assertThat(Platform.fromUname(machine)).isEqualTo(Platform.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sparc", "pdp11", "x86_65"})
    void fromUnameRejectsUnknownMachines(String machine) {
        assertThatThrownBy(() -> Platform.fromUname(machine))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'" + machine + "'")
                .hasMessageContaining("e.g.");
    }

    @Test
    void currentIsTheJvmsPlatform() {
        Platform current = Platform.current();
        assertThat(current).isEqualTo(current.normalize());
        assertThat(current)
                .isEqualTo(new Platform(
                        current.os(),
                        Platform.fromUname(System.getProperty("os.arch")).architecture(),
                        Platform.fromUname(System.getProperty("os.arch")).variant(),
                        null,
                        List.of()));
        if (System.getProperty("os.name").toLowerCase().startsWith("linux")) {
            assertThat(current.os()).isEqualTo("linux");
        }
    }

    /** docker-library name | platform */
    @ParameterizedTest(name = "{0} <-> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "amd64| linux/amd64",
                "arm32v5| linux/arm/v5",
                "arm32v6| linux/arm/v6",
                "arm32v7| linux/arm/v7",
                "arm64v8| linux/arm64/v8",
                "i386| linux/386",
                "ppc64le| linux/ppc64le",
                "s390x| linux/s390x",
                "riscv64| linux/riscv64",
                "mips64le| linux/mips64le",
                "windows-amd64| windows/amd64",
            })
    void dockerLibraryNamesBothWays(String name, String platform) {
        Platform p = Platform.fromDockerLibraryArch(name);
        assertThat(p.toString()).isEqualTo(platform);
        assertThat(p.dockerLibraryArch()).isEqualTo(name);
        assertThat(Platform.parse(platform).dockerLibraryArch()).isEqualTo(name);
    }

    @Test
    void dockerLibraryNameOfUnnormalisedPlatforms() {
        assertThat(Platform.parse("linux/arm64").dockerLibraryArch()).isEqualTo("arm64v8");
        assertThat(Platform.parse("linux/aarch64").dockerLibraryArch()).isEqualTo("arm64v8");
        assertThat(Platform.parse("linux/x86_64").dockerLibraryArch()).isEqualTo("amd64");
        assertThat(Platform.parse("linux/armhf").dockerLibraryArch()).isEqualTo("arm32v7");
        assertThat(Platform.parse("linux/arm").dockerLibraryArch()).isEqualTo("arm32v7");
        assertThat(Platform.parse("linux/i686").dockerLibraryArch()).isEqualTo("i386");
        assertThat(Platform.fromDockerLibraryArch("ARM64V8")).isEqualTo(Platform.parse("linux/arm64/v8"));
    }

    @Test
    void dockerLibraryNamesThatDoNotExist() {
        assertThatThrownBy(() -> Platform.parse("darwin/arm64").dockerLibraryArch())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'darwin/arm64'");
        assertThatThrownBy(() -> Platform.parse("linux/amd64/v3").dockerLibraryArch())
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Platform.parse("linux/arm/v8").dockerLibraryArch())
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Platform.fromDockerLibraryArch("arm64"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'arm64'")
                .hasMessageContaining("arm64v8");
        assertThatThrownBy(() -> Platform.fromDockerLibraryArch(null)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void deterministicOrder() {
        List<Platform> list = new ArrayList<>(List.of(
                Platform.parse("linux/s390x"),
                Platform.parse("linux/arm/v7"),
                new Platform("windows", "amd64", null, "10.0.2", List.of()),
                Platform.parse("linux/amd64"),
                Platform.parse("linux/arm/v6"),
                Platform.parse("linux/arm"),
                new Platform("windows", "amd64", null, "10.0.1", List.of()),
                Platform.parse("linux/386"),
                Platform.parse("linux/arm64")));
        List<Platform> sorted = list.stream().sorted().toList();
        assertThat(sorted)
                .extracting(p -> p.toString() + (p.osVersion() == null ? "" : "@" + p.osVersion()))
                .containsExactly(
                        "linux/386",
                        "linux/amd64",
                        "linux/arm",
                        "linux/arm/v6",
                        "linux/arm/v7",
                        "linux/arm64",
                        "linux/s390x",
                        "windows/amd64@10.0.1",
                        "windows/amd64@10.0.2");
        assertThat(list.stream().sorted(Platform.ORDER).toList()).isEqualTo(sorted);
    }

    @Test
    void unknownPlaceholder() {
        assertThat(Platform.parse("unknown/unknown").isUnknown()).isTrue();
        assertThat(Platform.UNKNOWN.isUnknown()).isTrue();
        assertThat(Platform.parse("linux/amd64").isUnknown()).isFalse();
    }

    @Test
    void osFeaturesAreCopied() {
        List<String> features = new ArrayList<>(List.of("win32k"));
        Platform p = new Platform("windows", "amd64", null, null, features);
        features.add("other");
        assertThat(p.osFeatures()).containsExactly("win32k");
        assertThatThrownBy(() -> p.osFeatures().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aPlatformListRefusesAPlatformGivenTwiceEvenWhenSpelledDifferently() {
        assertThat(Platform.parseDistinct(List.of("linux/amd64", " linux/arm64 ")))
                .containsExactly(Platform.of("linux", "amd64"), Platform.of("linux", "arm64"));
        assertThatThrownBy(() -> Platform.parseDistinct(List.of("linux/arm64", "linux/arm64/v8")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(
                        "platform linux/arm64 is given twice (linux/arm64 and linux/arm64/v8): name each platform once");
        assertThatThrownBy(() -> Platform.parseDistinct(List.of("linux/amd64", "linux/amd64")))
                .hasMessage("platform linux/amd64 is given twice (linux/amd64): name each platform once");
        assertThatThrownBy(() -> Platform.parseDistinct(List.of("linux/amd64", "foo")))
                .hasMessageStartingWith("invalid platform 'foo'");
        assertThat(Platform.parseDistinct(null)).isEmpty();
    }
}
