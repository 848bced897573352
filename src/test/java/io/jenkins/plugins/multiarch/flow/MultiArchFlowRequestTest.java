package io.jenkins.plugins.multiarch.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.builder.BuildRequest;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.ListFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the flow refuses before it builds anything. */
class MultiArchFlowRequestTest {

    private static BuildRequest.Builder template() {
        return BuildRequest.builder()
                .context(Path.of("."))
                .platform("linux/amd64")
                .image("127.0.0.1:5000/app");
    }

    @Test
    void platformsAreNeededOnceEach() {
        BuildRequest t = template().tag("1").build();
        assertThatThrownBy(() -> MultiArchFlow.Request.of(t, List.of(), null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--platform");
        assertThatThrownBy(() -> MultiArchFlow.Request.of(
                        t, List.of(Platform.parse("linux/arm64"), Platform.parse("linux/arm64/v8")), null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("given twice");
    }

    @Test
    void publishingNeedsATagButBuildingAloneDoesNot() {
        BuildRequest untagged = template().build();
        List<Platform> amd = List.of(Platform.parse("linux/amd64"));
        assertThatThrownBy(() -> MultiArchFlow.Request.of(untagged, amd, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--tag")
                .hasMessageContaining("--no-publish");
        MultiArchFlow.Request buildOnly =
                new MultiArchFlow.Request(untagged, amd, null, false, ListFormat.AUTO, Map.of(), 0);
        assertThat(buildOnly.parallelism()).isEqualTo(1);
    }
}
