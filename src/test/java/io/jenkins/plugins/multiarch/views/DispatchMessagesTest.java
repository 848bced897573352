package io.jenkins.plugins.multiarch.views;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.flow.DispatchDecision.Reason;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.Locale;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The texts {@code multiArchSelectAgent} prints for each dispatch decision, formatted as the generated Messages
 * class formats them: a wait of 0 never reads "waiting up to 0 seconds", refusals name the platform, the label
 * and what to configure, and the policy values keep their quotes.
 */
class DispatchMessagesTest {

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
    void aZeroWaitSaysItDoesNotWait() {
        String text = format("SelectAgent.EmulatingWithoutWait", "linux/arm64", "amd64 && qemu");
        assertThat(text)
                .contains("linux/arm64", "amd64 && qemu", "does not wait", "under emulation")
                .doesNotContain("waiting up to");
        // The text that announces a wait is only printed for a positive wait (AgentChoiceTest), and says how long.
        assertThat(format("SelectAgent.WaitingForNative", "linux/arm64", "arm64", 300, "amd64 && qemu"))
                .contains("waiting up to 300 seconds", "arm64", "amd64 && qemu");
    }

    @Test
    void refusalsNameThePlatformTheLabelAndWhatToConfigure() {
        assertThat(format("SelectAgent.RefusedEmulationNever", "linux/arm64", "arm64"))
                .contains("linux/arm64", "label arm64", "emulation is 'never'", "cloud", "Manage Jenkins > System");
        assertThat(format("SelectAgent.RefusedNoEmulationLabel", "linux/arm64", "arm64"))
                .contains("linux/arm64", "label arm64", "add an emulation label", "Manage Jenkins > System");
        assertThat(format("SelectAgent.RefusedAlwaysWithoutEmulationLabel", "linux/arm64"))
                .contains("emulation: 'always'", "linux/arm64", "emulationLabel", "emulation: 'fallback'");
        assertThat(format("SelectAgent.RefusedEmulationLabelUnserved", "linux/arm64", "amd64 && qemu"))
                .contains("linux/arm64", "amd64 && qemu", "Manage Jenkins > System");
    }

    @Test
    void theCloudCaseSaysItBuildsNatively() {
        assertThat(format("SelectAgent.NativeFromCloud", "linux/arm64", "arm64"))
                .contains("linux/arm64", "arm64", "cloud", "natively")
                .doesNotContain("emulation");
        assertThat(format("SelectAgent.EmulatingAlways", "linux/arm64", "amd64 && qemu"))
                .contains("emulation is 'always'");
    }

    /** One text per decision (SelectAgentStep maps each reason to one of these keys). */
    @Test
    void everyReasonHasItsText() {
        for (Reason r : Reason.values()) {
            String key =
                    switch (r) {
                        case NATIVE_ONLINE -> "SelectAgent.NativeOnline";
                        case NATIVE_FROM_CLOUD -> "SelectAgent.NativeFromCloud";
                        case NATIVE_QUEUED_EMULATION_NEVER -> "SelectAgent.QueuedEmulationNever";
                        case NATIVE_QUEUED_NO_EMULATION_LABEL -> "SelectAgent.QueuedNoEmulationLabel";
                        case EMULATION_ALWAYS -> "SelectAgent.EmulatingAlways";
                        case EMULATION_AFTER_WAIT -> "SelectAgent.EmulatingAfterWait";
                        case EMULATION_WITHOUT_WAIT -> "SelectAgent.EmulatingWithoutWait";
                        case WAITING_FOR_NATIVE -> "SelectAgent.WaitingForNative";
                        case NO_PLATFORM_ENTRY -> "SelectAgent.NoEntry";
                        case NATIVE_UNSERVED_EMULATION_NEVER -> "SelectAgent.RefusedEmulationNever";
                        case NATIVE_UNSERVED_NO_EMULATION_LABEL -> "SelectAgent.RefusedNoEmulationLabel";
                        case ALWAYS_WITHOUT_EMULATION_LABEL -> "SelectAgent.RefusedAlwaysWithoutEmulationLabel";
                        case EMULATION_LABEL_UNSERVED -> "SelectAgent.RefusedEmulationLabelUnserved";
                    };
            assertThat(messages.getProperty(key)).as(r + " -> " + key).isNotBlank();
        }
    }
}
