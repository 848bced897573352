package io.jenkins.plugins.multiarch.views;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

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
 * The plugin's Messages.properties, formatted as Jenkins formats it: the Messages class that localizer generates
 * hands each pattern and its arguments to {@link MessageFormat}, which is why core writes its plurals as choice
 * formats (hudson/Messages.properties: {@code Util.day={0} {0,choice,0#days|1#day|1<days}}).
 */
class MessagesTest {

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
    void everyTextIsAMessageFormatWithItsQuotesDoubled() {
        assertThat(messages).isNotEmpty();
        for (String key : messages.stringPropertyNames()) {
            String pattern = messages.getProperty(key);
            assertThatCode(() -> new MessageFormat(pattern, Locale.ENGLISH))
                    .as(key)
                    .doesNotThrowAnyException();
            // A single quote starts a quoted run in MessageFormat: the text after it (and its {0}) would vanish.
            assertThat(pattern.replace("''", ""))
                    .as(key + ": write a single quote as ''")
                    .doesNotContain("'");
        }
    }

    @Test
    void platformCountsAgreeInNumber() {
        assertThat(format("MultiarchAction.ListPlatforms", 1)).isEqualTo("(1 platform)");
        assertThat(format("MultiarchAction.ListPlatforms", 2)).isEqualTo("(2 platforms)");
        assertThat(format("MultiarchAction.ListPlatforms", 0)).isEqualTo("(no platforms)");
        assertThat(format("MultiarchAction.NotPublished", 1)).isEqualTo("not published yet, 1 platform built");
        assertThat(format("MultiarchAction.NotPublished", 3)).isEqualTo("not published yet, 3 platforms built");
    }

    @Test
    void missingOptionalPlatformsFollowTheCountWithoutAStrayComma() {
        assertThat(format("MultiarchAction.ListPlatformsMissing", 1, 1, "linux/s390x"))
                .isEqualTo("(1 platform; missing optional platform: linux/s390x)");
        assertThat(format("MultiarchAction.ListPlatformsMissing", 2, 2, "linux/s390x, linux/ppc64le"))
                .isEqualTo("(2 platforms; missing optional platforms: linux/s390x, linux/ppc64le)");
    }

    @Test
    void theListIsNamedAsADryRunOrNot() {
        assertThat(format("MultiarchAction.List")).isEqualTo("list");
        assertThat(format("MultiarchAction.DryRunList")).isEqualTo("dry run, list");
    }
}
