package io.jenkins.plugins.multiarch.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hudson.model.Result;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.TestImages;
import io.jenkins.plugins.multiarch.testing.TestImages.Format;
import io.jenkins.plugins.multiarch.testing.TestImages.IndexEntry;
import io.jenkins.plugins.multiarch.testing.TestImages.Pushed;
import io.jenkins.plugins.multiarch.testing.TestRegistry;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.jenkinsci.plugins.workflow.steps.StepConfigTester;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.BuildWatcherExtension;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * {@code pushManifestList(from:, remove:, replace:)} in a real pipeline against a real registry with basic auth:
 * a published list (amd64 and arm64, each with an attestation) is amended: arm64 removed, s390x added, then amd64
 * replaced; a platform given twice without {@code replace} fails the build. The engine's PublisherAmendTest covers
 * every rule without Jenkins.
 */
@WithJenkins
class PushManifestListAmendTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static BuildWatcherExtension buildWatcher = new BuildWatcherExtension();

    private static final String USER = "ci-user";
    private static final String PASSWORD = "amend-Pa55w0rd-never-logged";

    @RegisterExtension
    private static final RegistryExtension<TestRegistry> registry =
            RegistryExtension.starting(() -> TestRegistry.basicAuth(USER, PASSWORD));

    private JenkinsRule j;
    private TestImages images;

    @BeforeEach
    void setUp(JenkinsRule rule) throws Exception {
        j = rule;
        SystemCredentialsProvider.getInstance()
                .getCredentials()
                .add(new UsernamePasswordCredentialsImpl(
                        CredentialsScope.GLOBAL, "registry-creds", "test registry", USER, PASSWORD));
        SystemCredentialsProvider.getInstance().save();
        MultiarchConfiguration c = MultiarchConfiguration.get();
        c.setRegistryCredentials(List.of(new RegistryCredential(registry.get().hostPort(), "registry-creds")));
        c.setInsecureRegistries(registry.get().hostPort());
        // a process or a container: write through its address with its credentials
        images = TestImages.at(URI.create("http://" + registry.get().hostPort()), null, USER, PASSWORD);
    }

    private String image(String repo) {
        return registry.get().hostPort() + "/" + repo;
    }

    private WorkflowRun run(String name, String script, Result expected) throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class, name);
        p.setDefinition(new CpsFlowDefinition(script, true));
        return j.buildAndAssertStatus(expected, p);
    }

    private List<String> platformsOf(String reference) throws Exception {
        RegistryClient client = new RegistryClient(RegistrySettings.builder()
                .credentials(CredentialsSource.of(registry.get().hostPort(), RegistryCredentials.of(USER, PASSWORD)))
                .insecureRegistry(registry.get().hostPort())
                .build());
        RawManifest list = client.fetchManifest(ImageReference.parse(reference));
        List<String> platforms = new ArrayList<>();
        for (JsonNode entry : JSON.readTree(list.bytes()).get("manifests")) {
            JsonNode p = entry.get("platform");
            platforms.add(p.get("os").asText() + "/" + p.get("architecture").asText());
        }
        return platforms;
    }

    @Test
    void amendsAPublishedListRemovingAddingAndReplacingPlatforms() throws Exception {
        String repo = "demo/amend";
        Pushed amd = images.pushImage(repo, null, "linux/amd64", Format.OCI);
        Pushed arm = images.pushImage(repo, null, "linux/arm64", Format.OCI);
        IndexEntry amdAtt = images.attestationFor(repo, amd);
        IndexEntry armAtt = images.attestationFor(repo, arm);
        images.pushIndex(
                repo, "1.0", Format.OCI, List.of(TestImages.entry(amd), TestImages.entry(arm), amdAtt, armAtt));
        Pushed s390x = images.pushImage("demo/amend-s390x", "1.1", "linux/s390x", Format.OCI);

        WorkflowRun b = run("amend", """
                def r = pushManifestList image: '%s', tags: ['1.1'], from: '%s:1.0',
                        sources: ['%s=linux/s390x'], remove: ['linux/arm64']
                echo "PLATFORMS=${r.platforms} REMOVED=${r.removed} ADDED=${r.added} KEPT=${r.kept}"
                """.formatted(image(repo), image(repo), image(s390x.byTag())), Result.SUCCESS);
        j.assertLogContains("multiarch: amending the list " + image(repo) + ":1.0", b);
        j.assertLogContains(
                "PLATFORMS=[linux/amd64, linux/s390x] REMOVED=[linux/arm64] ADDED=[linux/s390x] KEPT=[linux/amd64]", b);
        j.assertLogContains("1 kept, 1 added, 0 replaced, 1 removed", b);
        j.assertLogNotContains(PASSWORD, b);
        // amd64, its attestation (unknown/unknown) and s390x; arm64 and its attestation are gone
        assertEquals(List.of("linux/amd64", "linux/s390x", "unknown/unknown"), platformsOf(image(repo) + ":1.1"));

        Pushed newAmd = images.pushImage("demo/amend-amd64", "1.2", "linux/amd64", Format.OCI);
        WorkflowRun twice = run(
                "twice",
                "pushManifestList image: '%s', tags: ['1.2'], from: '%s:1.1', sources: ['%s']"
                        .formatted(image(repo), image(repo), image(newAmd.byTag())),
                Result.FAILURE);
        j.assertLogContains("given twice", twice);

        WorkflowRun replaced =
                run("replace", """
                def r = pushManifestList image: '%s', tags: ['1.2'], from: '%s:1.1', sources: ['%s'], replace: true
                echo "REPLACED=${r.replaced}"
                """.formatted(image(repo), image(repo), image(newAmd.byTag())), Result.SUCCESS);
        j.assertLogContains("REPLACED=[linux/amd64]", replaced);
        // the old amd64 image's attestation went with it
        assertEquals(List.of("linux/amd64", "linux/s390x"), platformsOf(image(repo) + ":1.2"));
    }

    @Test
    void theNewParametersSurviveTheConfigurationForm() throws Exception {
        PushManifestListStep before = new PushManifestListStep("registry.example/onap/py-app", List.of("1.1"));
        before.setFrom("registry.example/onap/py-app:1.0");
        before.setRemove(List.of("linux/arm/v7", "linux/ppc64le"));
        before.setReplace(true);
        j.assertEqualDataBoundBeans(before, new StepConfigTester(j).configRoundTrip(before));
    }
}
