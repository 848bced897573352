package io.jenkins.plugins.multiarch.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import org.junit.jupiter.api.Test;

class KnownPlatformsTest {

    @Test
    void acceptsWhatImagesNameIncludingAliasesAndVariants() {
        for (String p : new String[] {
            "linux/amd64", "linux/arm64/v8", "linux/arm/v6", "linux/x86_64", "linux/aarch64", "windows/amd64",
            "linux/ppc64le", "linux/s390x", "linux/riscv64", "linux/386", "freebsd/amd64", "linux/armhf"
        }) {
            assertThat(KnownPlatforms.parse("--platform", p)).isEqualTo(Platform.parse(p));
        }
    }

    @Test
    void aTypoIsBadInputNamingThePart() {
        assertThatThrownBy(() -> KnownPlatforms.parse("--source 'r/a:1=linux/amd65'", "linux/amd65"))
                .isInstanceOfSatisfying(
                        InvalidInputException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("--source 'r/a:1=linux/amd65'")
                .hasMessageContaining("unknown architecture 'amd65'");
        assertThatThrownBy(() -> KnownPlatforms.parse("--require", "linx/amd64"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unknown operating system 'linx'");
    }
}
