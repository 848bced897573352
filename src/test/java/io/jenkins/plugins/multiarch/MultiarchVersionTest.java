package io.jenkins.plugins.multiarch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The version comes from the filtered resource of the build that ran these tests (the plugin's or the CLI's):
 * a build that stops filtering it, or drops it, fails here instead of sending "dev" in every User-Agent.
 */
class MultiarchVersionTest {

    @Test
    void theBuildRecordedItsVersion() {
        assertThat(MultiarchVersion.class.getResource(MultiarchVersion.RESOURCE))
                .as(
                        "the build puts io/jenkins/plugins/multiarch/%s on the class path (a filtered resource)",
                        MultiarchVersion.RESOURCE)
                .isNotNull();
        assertThat(MultiarchVersion.get())
                .isNotEqualTo(MultiarchVersion.UNKNOWN)
                .doesNotContain("${")
                .matches("[0-9A-Za-z][0-9A-Za-z._+-]*");
    }

    @Test
    void anUnfilteredOrEmptyFileSaysDev() {
        assertThat(MultiarchVersion.read(stream("version=${project.version}\n")))
                .isEqualTo(MultiarchVersion.UNKNOWN);
        assertThat(MultiarchVersion.read(stream("other=1\n"))).isEqualTo(MultiarchVersion.UNKNOWN);
        assertThat(MultiarchVersion.read(null)).isEqualTo(MultiarchVersion.UNKNOWN);
        assertThat(MultiarchVersion.read(stream("version = 1.2.3 \n"))).isEqualTo("1.2.3");
    }

    private static ByteArrayInputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
