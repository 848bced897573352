package io.jenkins.plugins.multiarch.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hudson.model.Label;
import hudson.model.User;
import hudson.security.ACL;
import hudson.security.ACLContext;
import hudson.util.FormValidation;
import java.util.List;
import jenkins.model.Jenkins;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.MockAuthorizationStrategy;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/** The admin form: values survive a UI round trip; checks that reveal nodes answer only administrators. */
@WithJenkins
class MultiarchConfigurationTest {

    private JenkinsRule j;

    @BeforeEach
    void setUp(JenkinsRule rule) {
        j = rule;
    }

    @Test
    void uiRoundTripKeepsEverything() throws Exception {
        MultiarchConfiguration c = MultiarchConfiguration.get();
        PlatformLabel arm = new PlatformLabel("linux/arm64", "arm64");
        arm.setEmulationLabel("amd64");
        c.setPlatforms(List.of(new PlatformLabel("linux/amd64", "amd64"), arm));
        c.setDefaultBuilder("buildah");
        c.setDefaultNaming("tag-suffix");
        c.setInsecureRegistries("127.0.0.1:5000");
        c.setNativeAgentTimeout(42);
        j.configRoundtrip();
        MultiarchConfiguration after = MultiarchConfiguration.get();
        assertEquals(List.of(new PlatformLabel("linux/amd64", "amd64"), arm), after.getPlatforms());
        assertEquals("buildah", after.getDefaultBuilder());
        assertEquals("tag-suffix", after.getDefaultNaming());
        assertEquals("127.0.0.1:5000", after.getInsecureRegistries());
        assertEquals(42, after.getNativeAgentTimeout());
    }

    @Test
    void labelCheckNeedsAdministerAndSeesOnlineState() throws Exception {
        j.jenkins.setSecurityRealm(j.createDummySecurityRealm());
        j.jenkins.setAuthorizationStrategy(new MockAuthorizationStrategy()
                .grant(Jenkins.ADMINISTER)
                .everywhere()
                .to("admin")
                .grant(Jenkins.READ)
                .everywhere()
                .to("reader"));
        PlatformLabel.DescriptorImpl d = j.jenkins.getDescriptorByType(PlatformLabel.DescriptorImpl.class);

        try (ACLContext ctx = ACL.as2(User.getById("reader", true).impersonate2())) {
            assertEquals(
                    FormValidation.Kind.OK, d.doCheckLabel("nosuchlabel").kind, "a reader learns nothing about nodes");
        }
        try (ACLContext ctx = ACL.as2(User.getById("admin", true).impersonate2())) {
            assertEquals(FormValidation.Kind.ERROR, d.doCheckLabel("nosuchlabel").kind);
            assertEquals(FormValidation.Kind.ERROR, d.doCheckLabel("a &&").kind);
            j.createOnlineSlave(Label.get("arm64"));
            assertEquals(FormValidation.Kind.OK, d.doCheckLabel("arm64").kind);
            assertEquals(FormValidation.Kind.ERROR, d.doCheckPlatform("linux/").kind);
            assertEquals(FormValidation.Kind.OK, d.doCheckPlatform("linux/arm64").kind);
        }
    }
}
