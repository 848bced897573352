package io.jenkins.plugins.multiarch.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jenkins.plugins.casc.misc.junit.jupiter.AbstractRoundTripTest;
import java.util.List;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/** JCasC: configure from YAML, check via the UI, re-apply, restart, reload (the harness's round trip). */
@WithJenkins
class ConfigurationAsCodeTest extends AbstractRoundTripTest {

    @Override
    protected void assertConfiguredAsExpected(JenkinsRule j, String configContent) {
        MultiarchConfiguration c = MultiarchConfiguration.get();
        PlatformLabel arm = new PlatformLabel("linux/arm64", "arm64");
        arm.setEmulationLabel("amd64 && qemu");
        assertEquals(List.of(new PlatformLabel("linux/amd64", "amd64"), arm), c.getPlatforms());
        assertEquals("buildah", c.getDefaultBuilder());
        assertEquals("repo-suffix", c.getDefaultNaming());
        assertEquals("127.0.0.1:5000/onap/py-app-cache", c.getDefaultCache());
        assertEquals(List.of(new RegistryCredential("127.0.0.1:5000", "registry-creds")), c.getRegistryCredentials());
        assertEquals("127.0.0.1:5000", c.getInsecureRegistries());
        assertEquals("127.0.0.1:5000 registry.example", c.getAllowedRegistries());
        assertEquals(120, c.getNativeAgentTimeout());
    }

    @Override
    protected String stringInLogExpected() {
        return "amd64 && qemu";
    }
}
