package io.jenkins.plugins.multiarch.jenkins;

import static org.assertj.core.api.Assertions.assertThat;

import hudson.model.Label;
import hudson.util.FormValidation;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.htmlunit.HttpMethod;
import org.htmlunit.WebRequest;
import org.htmlunit.html.DomElement;
import org.htmlunit.html.HtmlPage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * The global configuration as an admin meets it: a native label no agent has is a warning naming the emulation
 * fallback when one is set (builds do succeed through it), an error only when there is none; each platform's block
 * is headed with its platform, not a bare "Platform".
 */
@WithJenkins
class PlatformLabelFormTest {

    private static final String CHECK_LABEL = "descriptorByName/" + PlatformLabel.class.getName() + "/checkLabel";

    private JenkinsRule j;

    @BeforeEach
    void setUp(JenkinsRule rule) {
        j = rule;
    }

    @Test
    void unknownNativeLabelWithEmulationIsAWarningNamingTheFallback() throws Exception {
        String html = checkLabel("arm64", "amd64");
        assertThat(html).startsWith("<div class=\"warning\">").contains("arm64").contains("amd64");

        FormValidation withoutFallback = j.jenkins
                .getDescriptorByType(PlatformLabel.DescriptorImpl.class)
                .doCheckLabel("arm64", "");
        assertThat(withoutFallback.kind).isEqualTo(FormValidation.Kind.ERROR);

        j.createOnlineSlave(Label.get("arm64"));
        assertThat(checkLabel("arm64", "amd64")).startsWith("<div class=\"ok\">");
    }

    @Test
    void eachPlatformBlockIsHeadedWithItsPlatform() throws Exception {
        PlatformLabel arm = new PlatformLabel("linux/arm64", "arm64");
        arm.setEmulationLabel("amd64");
        MultiarchConfiguration.get().setPlatforms(List.of(new PlatformLabel("linux/amd64", "amd64"), arm));

        HtmlPage page = j.createWebClient().goTo("configure");
        List<String> headings = page.getByXPath("//h3[contains(@class,'multiarch-platform-heading')]").stream()
                .map(e -> ((DomElement) e).getTextContent().trim())
                .toList();
        assertThat(headings).containsExactly("linux/amd64", "linux/arm64");
    }

    /** The form's own check, as the browser calls it: a POST with a crumb to the descriptor's check URL. */
    private String checkLabel(String value, String emulationLabel) throws Exception {
        JenkinsRule.WebClient wc = j.createWebClient();
        String query = "?value=" + URLEncoder.encode(value, StandardCharsets.UTF_8) + "&emulationLabel="
                + URLEncoder.encode(emulationLabel, StandardCharsets.UTF_8);
        WebRequest request = new WebRequest(wc.createCrumbedUrl(CHECK_LABEL + query), HttpMethod.POST);
        return wc.getPage(request).getWebResponse().getContentAsString().trim();
    }
}
