package io.jenkins.plugins.multiarch.views;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.report.Wording;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The words the reviewer pages show, formatted as the generated Messages class formats them, with the values the
 * view model hands them (short digests and sizes from {@link Wording}).
 */
class ReviewerPageMessagesTest {

    private static final String OLD = "sha256:3a321f0e9d8c" + "0".repeat(52);
    private static final String NEW = "sha256:c99c8f1a2b3c" + "1".repeat(52);

    private static Properties messages;

    @BeforeAll
    static void load() throws IOException {
        Path file = JellyViewsTest.resources().resolve("io/jenkins/plugins/multiarch/jenkins/Messages.properties");
        messages = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            messages.load(r);
        }
    }

    private static String format(String key, Object... args) {
        String pattern = messages.getProperty(key);
        assertThat(pattern).as(key + " in Messages.properties").isNotNull();
        return new MessageFormat(pattern, Locale.ENGLISH).format(args);
    }

    @Test
    void aMovedTagNamesBothDigestsShort() {
        assertThat(format("MultiarchAction.TagMoved", Wording.shortDigest(OLD), Wording.shortDigest(NEW)))
                .isEqualTo("moved from sha256:3a321f0e9d8c to sha256:c99c8f1a2b3c");
        assertThat(format("MultiarchAction.TagCreated")).isEqualTo("new");
        assertThat(format("MultiarchAction.TagUnchanged")).isEqualTo("unchanged");
        assertThat(format("MultiarchAction.TagMovedUnknown")).contains("not recorded");
    }

    @Test
    void aPlatformReadsAsNativeOrEmulatedAndItsChange() {
        assertThat(format("MultiarchAction.Native")).isEqualTo("native");
        assertThat(format("MultiarchAction.Emulated")).isEqualTo("emulated");
        assertThat(format("MultiarchAction.ChangeDigest", Wording.shortDigest(OLD), Wording.shortDigest(NEW)))
                .isEqualTo("digest sha256:3a321f0e9d8c to sha256:c99c8f1a2b3c");
        assertThat(format("MultiarchAction.ChangeAdded")).isEqualTo("new platform");
        assertThat(format("MultiarchAction.ChangeRemoved")).isEqualTo("no longer built");
        assertThat(format("MultiarchAction.Tags", Wording.list(List.of("1.0", "latest"))))
                .isEqualTo("tags 1.0, latest");
    }

    @Test
    void aMissingNativeLabelNamesTheEmulationFallback() {
        assertThat(format("Validation.LabelNoNodeEmulated", "arm64", "amd64 && qemu"))
                .startsWith("No agent has the label arm64")
                .contains("fall back to the emulation label amd64 && qemu");
    }
}
