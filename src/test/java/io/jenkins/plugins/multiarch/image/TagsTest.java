package io.jenkins.plugins.multiarch.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TagsTest {

    @Test
    void validTagsComeBackInOrder() {
        assertThat(Tags.parse(List.of("1.0", "latest", "1.0.3-rc1", "_x", "A".repeat(128))))
                .containsExactly("1.0", "latest", "1.0.3-rc1", "_x", "A".repeat(128));
    }

    @Test
    void eachBrokenRuleIsNamedWithTheTag() {
        assertThatThrownBy(() -> Tags.parse(List.of("1.0", "bad:tag")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("tag 'bad:tag' is invalid: the tag 'bad:tag' may contain only letters");
        assertThatThrownBy(() -> Tags.parse(List.of("-x"))).hasMessageContaining("must not start with '.' or '-'");
        assertThatThrownBy(() -> Tags.parse(List.of("a".repeat(129))))
                .hasMessageContaining("more than the limit of 128");
        assertThatThrownBy(() -> Tags.parse(List.of("1.0", "1.0")))
                .hasMessage("tags [1.0, 1.0] name the same tag twice: give each tag once");
        assertThatThrownBy(() -> Tags.parse(List.of())).hasMessage("at least one tag is required, e.g. 1.0");
        assertThatThrownBy(() -> Tags.parse(null)).hasMessage("at least one tag is required, e.g. 1.0");
        assertThatThrownBy(() -> Tags.parse(Arrays.asList("1.0", null)))
                .hasMessage("a tag is empty: give each tag, e.g. 1.0");
        assertThatThrownBy(() -> Tags.parseOne(" ")).hasMessage("a tag is empty: give each tag, e.g. 1.0");
    }
}
