package io.jenkins.plugins.multiarch.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.jenkinsci.plugins.workflow.cps.SnippetizerTester;
import org.jenkinsci.plugins.workflow.steps.StepConfigTester;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/** Snippet Generator and configuration round trips of both steps, every field set. */
@WithJenkins
class StepsConfigTest {

    private JenkinsRule j;

    @BeforeEach
    void setUp(JenkinsRule rule) {
        j = rule;
    }

    static BuildArchImageStep fullBuildStep() {
        BuildArchImageStep s = new BuildArchImageStep("registry.example/onap/py-app");
        s.setTags(List.of("1.0", "latest"));
        s.setPlatform("linux/arm64");
        s.setContext("app");
        s.setDockerfile("app/Dockerfile");
        s.setBuildArgs(List.of("VERSION=1.0", "EXTRA=a=b"));
        s.setSecretBuildArgs(List.of("PIP_INDEX_TOKEN=pip-token"));
        s.setTarget("runtime");
        s.setBuilder("buildah");
        s.setNaming("repo-suffix");
        s.setCredentialsId("registry-creds");
        s.setAllowEmulation(true);
        return s;
    }

    static PushManifestListStep fullPushStep() {
        PushManifestListStep s = new PushManifestListStep("registry.example/onap/py-app", List.of("1.0", "latest"));
        s.setPlatforms(List.of("linux/amd64"));
        s.setOptionalPlatforms(List.of("linux/arm64"));
        s.setSources(List.of("registry.example/onap/py-app-amd64:1.0=linux/amd64"));
        s.setFormat("oci");
        s.setAnnotations(List.of("org.opencontainers.image.revision=abc"));
        s.setCredentialsId("registry-creds");
        s.setDryRun(true);
        return s;
    }

    @Test
    void buildArchImageConfigRoundTrip() throws Exception {
        BuildArchImageStep before = fullBuildStep();
        BuildArchImageStep after = new StepConfigTester(j).configRoundTrip(before);
        j.assertEqualDataBoundBeans(before, after);
        assertEquals(List.of("VERSION=1.0", "EXTRA=a=b"), after.getBuildArgs());

        BuildArchImageStep minimal = new BuildArchImageStep("registry.example/onap/py-app");
        j.assertEqualDataBoundBeans(minimal, new StepConfigTester(j).configRoundTrip(minimal));
    }

    @Test
    void pushManifestListConfigRoundTrip() throws Exception {
        PushManifestListStep before = fullPushStep();
        j.assertEqualDataBoundBeans(before, new StepConfigTester(j).configRoundTrip(before));
    }

    @Test
    void snippets() throws Exception {
        SnippetizerTester st = new SnippetizerTester(j);
        st.assertRoundTrip(
                new BuildArchImageStep("registry.example/onap/py-app"),
                "buildArchImage 'registry.example/onap/py-app'");
        st.assertRoundTrip(
                fullBuildStep(),
                "buildArchImage allowEmulation: true, buildArgs: ['VERSION=1.0', 'EXTRA=a=b'], builder: 'buildah', "
                        + "context: 'app', credentialsId: 'registry-creds', dockerfile: 'app/Dockerfile', "
                        + "image: 'registry.example/onap/py-app', naming: 'repo-suffix', platform: 'linux/arm64', "
                        + "secretBuildArgs: ['PIP_INDEX_TOKEN=pip-token'], tags: ['1.0', 'latest'], target: 'runtime'");
        st.assertRoundTrip(
                new PushManifestListStep("registry.example/onap/py-app", List.of("1.0")),
                "pushManifestList image: 'registry.example/onap/py-app', tags: ['1.0']");
        st.assertRoundTrip(
                fullPushStep(),
                "pushManifestList annotations: ['org.opencontainers.image.revision=abc'], credentialsId: 'registry-creds', "
                        + "dryRun: true, format: 'oci', image: 'registry.example/onap/py-app', "
                        + "optionalPlatforms: ['linux/arm64'], platforms: ['linux/amd64'], "
                        + "sources: ['registry.example/onap/py-app-amd64:1.0=linux/amd64'], tags: ['1.0', 'latest']");
        SnippetizerTester.assertDocGeneration(BuildArchImageStep.class);
        SnippetizerTester.assertDocGeneration(PushManifestListStep.class);
        SnippetizerTester.assertDocGeneration(SelectAgentStep.class);
    }
}
