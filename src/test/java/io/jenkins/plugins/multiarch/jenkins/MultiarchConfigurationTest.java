package io.jenkins.plugins.multiarch.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.cloudbees.plugins.credentials.Credentials;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import com.cloudbees.plugins.credentials.domains.Domain;
import com.cloudbees.plugins.credentials.domains.DomainSpecification;
import com.cloudbees.plugins.credentials.domains.HostnameSpecification;
import com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl;
import hudson.AbortException;
import hudson.model.FreeStyleBuild;
import hudson.model.Label;
import hudson.model.User;
import hudson.security.ACL;
import hudson.security.ACLContext;
import hudson.util.FormValidation;
import io.jenkins.plugins.multiarch.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import jenkins.model.Jenkins;
import org.htmlunit.FailingHttpStatusCodeException;
import org.htmlunit.html.HtmlForm;
import org.htmlunit.html.HtmlPage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.MockAuthorizationStrategy;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * The admin form and JCasC: values survive a UI round trip; invalid values are refused when saved, naming the
 * field, and nothing of the refused form stays in force; a save never shows readers an empty platform map;
 * default credentials are bound to their registry's host.
 */
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
        c.setRegistryCredentials(List.of(new RegistryCredential("Reg.Example:5000", "reg-creds")));
        c.setInsecureRegistries("127.0.0.1:5000");
        c.setAllowedRegistries("reg.example:5000 127.0.0.1:5000");
        c.setNativeAgentTimeout(42);
        j.configRoundtrip();
        MultiarchConfiguration after = MultiarchConfiguration.get();
        assertEquals(List.of(new PlatformLabel("linux/amd64", "amd64"), arm), after.getPlatforms());
        assertEquals("buildah", after.getDefaultBuilder());
        assertEquals("tag-suffix", after.getDefaultNaming());
        assertEquals(List.of(new RegistryCredential("reg.example:5000", "reg-creds")), after.getRegistryCredentials());
        assertEquals("127.0.0.1:5000", after.getInsecureRegistries());
        assertEquals("reg.example:5000 127.0.0.1:5000", after.getAllowedRegistries());
        assertEquals(42, after.getNativeAgentTimeout());
    }

    @Test
    void invalidValuesAreRefusedBySettersNamingTheField() {
        MultiarchConfiguration c = MultiarchConfiguration.get();
        assertEquals(
                "Default builder: builder 'kaniko' is unknown: use docker (Docker Engine) or buildah",
                assertThrows(InvalidInputException.class, () -> c.setDefaultBuilder("kaniko"))
                        .getMessage());
        assertTrue(assertThrows(InvalidInputException.class, () -> c.setDefaultNaming("weird"))
                .getMessage()
                .startsWith("Default naming: naming 'weird' is unknown"));
        assertTrue(assertThrows(InvalidInputException.class, () -> c.setInsecureRegistries("http://x/"))
                .getMessage()
                .startsWith("Registries reached over plain HTTP: registry 'http://x/' has a scheme"));
        assertThrows(InvalidInputException.class, () -> c.setAllowedRegistries("reg.example/team"));
        assertThrows(InvalidInputException.class, () -> c.setNativeAgentTimeout(-1));
        assertTrue(assertThrows(InvalidInputException.class, () -> new PlatformLabel("foo", "arm64"))
                .getMessage()
                .startsWith("Platforms and agent labels: invalid platform 'foo'"));
        assertTrue(assertThrows(InvalidInputException.class, () -> new PlatformLabel("linux/arm64", "a &&"))
                .getMessage()
                .startsWith("Native agent label of linux/arm64 'a &&' is not a valid label expression"));
        assertThrows(
                InvalidInputException.class,
                () -> c.setPlatforms(List.of(
                        new PlatformLabel("linux/arm64", "arm64"), new PlatformLabel("linux/arm64/v8", "arm64"))));
        assertThrows(InvalidInputException.class, () -> new RegistryCredential("http://reg.example", "x"));
        assertEquals("docker", c.getDefaultBuilder(), "a refused value is not taken");
        assertNull(c.getInsecureRegistries());
    }

    @Test
    void theFormRefusesAnInvalidValueAndKeepsWhatWasSaved() throws Exception {
        MultiarchConfiguration c = MultiarchConfiguration.get();
        c.setInsecureRegistries("127.0.0.1:5000");
        c.setNativeAgentTimeout(42);
        Path configFile = j.jenkins.getRootDir().toPath().resolve(MultiarchConfiguration.class.getName() + ".xml");
        String savedXml = Files.readString(configFile);

        JenkinsRule.WebClient wc = j.createWebClient();
        HtmlPage page = wc.goTo("configure");
        HtmlForm form = page.getFormByName("config");
        form.getInputByName("_.nativeAgentTimeout").setValue("7");
        form.getInputByName("_.insecureRegistries").setValue("http://x/");
        FailingHttpStatusCodeException refused =
                assertThrows(FailingHttpStatusCodeException.class, () -> j.submit(form));
        assertEquals(400, refused.getStatusCode());
        String body = refused.getResponse().getContentAsString();
        assertTrue(body.contains("Registries reached over plain HTTP: registry"), body);
        assertTrue(body.contains("has a scheme: give host[:port]"), body);

        assertEquals("127.0.0.1:5000", c.getInsecureRegistries());
        assertEquals(42, c.getNativeAgentTimeout(), "the valid part of a refused form does not stay in force");
        assertEquals(savedXml, Files.readString(configFile), "nothing of the refused form was saved");
    }

    @Test
    void configurationAsCodeRefusesAnInvalidValueNamingTheAttribute(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "unclassified:\n  multiarch:\n    insecureRegistries: \"http://x/\"\n");
        Exception e = assertThrows(
                io.jenkins.plugins.casc.ConfiguratorException.class,
                () -> io.jenkins.plugins.casc.ConfigurationAsCode.get().configure(yaml.toString()));
        assertTrue(e.getMessage().contains("insecureRegistries"), e.getMessage());
        assertTrue(causes(e).contains("registry 'http://x/' has a scheme"), causes(e));

        Files.writeString(
                yaml,
                "unclassified:\n  multiarch:\n    platforms:\n      - platform: \"foo\"\n"
                        + "        label: \"arm64\"\n");
        Exception p = assertThrows(
                io.jenkins.plugins.casc.ConfiguratorException.class,
                () -> io.jenkins.plugins.casc.ConfigurationAsCode.get().configure(yaml.toString()));
        assertTrue(causes(p).contains("invalid platform 'foo'"), causes(p));
        assertTrue(MultiarchConfiguration.get().getPlatforms().isEmpty());
    }

    private static String causes(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append('\n');
        }
        return b.toString();
    }

    @Test
    void aSaveNeverShowsReadersAnEmptyPlatformMap() throws Exception {
        MultiarchConfiguration c = MultiarchConfiguration.get();
        c.setPlatforms(List.of(new PlatformLabel("linux/amd64", "amd64"), new PlatformLabel("linux/arm64", "arm64")));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger emptySeen = new AtomicInteger();
        AtomicInteger reads = new AtomicInteger();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                if (MultiarchConfiguration.get().getPlatforms().isEmpty()) {
                    emptySeen.incrementAndGet();
                }
                reads.incrementAndGet();
            }
        });
        reader.start();
        try {
            for (int i = 0; i < 10; i++) {
                j.configRoundtrip();
            }
        } finally {
            stop.set(true);
            reader.join();
        }
        assertTrue(reads.get() > 1000, "the reader ran alongside the saves");
        assertEquals(0, emptySeen.get(), "a reader saw the platform map emptied during a save");
        assertEquals(2, MultiarchConfiguration.get().getPlatforms().size());
    }

    @Test
    void defaultCredentialsGoOnlyToTheirRegistryAndStepCredentialsOnlyWithinTheirDomain() throws Exception {
        Map<Domain, List<Credentials>> map = new LinkedHashMap<>();
        map.put(
                Domain.global(),
                List.<Credentials>of(
                        new UsernamePasswordCredentialsImpl(CredentialsScope.GLOBAL, "global", "g", "gu", "gp")));
        map.put(
                new Domain(
                        "corp",
                        "corp registry",
                        List.<DomainSpecification>of(new HostnameSpecification("reg.corp.example", null))),
                List.<Credentials>of(
                        new UsernamePasswordCredentialsImpl(CredentialsScope.GLOBAL, "corp", "c", "cu", "cp")));
        SystemCredentialsProvider.getInstance().setDomainCredentialsMap(map);
        MultiarchConfiguration.get()
                .setRegistryCredentials(List.of(new RegistryCredential("reg.corp.example", "corp")));
        FreeStyleBuild run = j.buildAndAssertSuccess(j.createFreeStyleProject());

        RegistryLogin corp = RegistryLogin.resolve(null, run, "reg.corp.example");
        assertNotNull(corp, "the default for reg.corp.example");
        assertEquals(List.of("cp"), corp.secrets());
        assertNull(RegistryLogin.resolve(null, run, "registry-1.docker.io"), "no default for Docker Hub");
        assertThrows(
                AbortException.class,
                () -> RegistryLogin.resolve("corp", run, "registry-1.docker.io"),
                "credentials of the corp domain are not found for another host");
        assertEquals(
                List.of("gp"),
                RegistryLogin.resolve("global", run, "registry-1.docker.io").secrets());
    }

    @Test
    void theAdminsListOffersOnlyCredentialsThatBuildsCanUse() throws Exception {
        SystemCredentialsProvider.getInstance()
                .getCredentials()
                .add(new UsernamePasswordCredentialsImpl(CredentialsScope.SYSTEM, "system-only", "s", "su", "sp"));
        SystemCredentialsProvider.getInstance()
                .getCredentials()
                .add(new UsernamePasswordCredentialsImpl(CredentialsScope.GLOBAL, "for-builds", "g", "gu", "gp"));
        List<String> offered = RegistryCredentialForms.globalListBox("reg.example", null).stream()
                .map(o -> o.value)
                .toList();
        assertTrue(offered.contains("for-builds"), offered.toString());
        assertFalse(offered.contains("system-only"), "builds never get System-scoped credentials: " + offered);
        assertEquals(FormValidation.Kind.ERROR, RegistryCredentialForms.globalCheck("reg.example", "system-only").kind);
        assertEquals(FormValidation.Kind.OK, RegistryCredentialForms.globalCheck("reg.example", "for-builds").kind);
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
        assertFalse(d.getDisplayName().isEmpty());
    }

    @Test
    void formChecksRunTheStepsRules() {
        PushManifestListStep.DescriptorImpl d =
                j.jenkins.getDescriptorByType(PushManifestListStep.DescriptorImpl.class);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckTags("1.0\nbad:tag").kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckTags("1.0\n1.0").kind);
        assertEquals(FormValidation.Kind.OK, d.doCheckTags("1.0\nlatest").kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckPlatforms("linux/arm64\nlinux/arm64/v8").kind);
        assertEquals(FormValidation.Kind.OK, d.doCheckPlatforms("linux/amd64\nlinux/arm64").kind);
        MultiarchConfiguration c = MultiarchConfiguration.get();
        assertEquals(FormValidation.Kind.ERROR, c.doCheckInsecureRegistries("http://x/").kind);
        assertEquals(FormValidation.Kind.ERROR, c.doCheckAllowedRegistries("a, b.example/x").kind);
        assertEquals(FormValidation.Kind.OK, c.doCheckAllowedRegistries("reg.example, 127.0.0.1:5000").kind);
    }
}
