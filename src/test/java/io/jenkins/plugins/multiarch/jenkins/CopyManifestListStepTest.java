package io.jenkins.plugins.multiarch.jenkins;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl;
import hudson.model.Result;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.TestImages;
import io.jenkins.plugins.multiarch.testing.TestImages.Format;
import io.jenkins.plugins.multiarch.testing.TestImages.Pushed;
import io.jenkins.plugins.multiarch.testing.TestRegistry;
import java.net.ServerSocket;
import java.net.URI;
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
 * {@code copyManifestList} in a real pipeline between two real registries, each with basic auth and its own Jenkins
 * credential: the list arrives with the same digest and bytes; a target that cannot be reached fails the build
 * after the other target got the list. And {@code pushManifestList(mirrors:)}: the list published to staging with
 * the step's credential, then copied to prod with the admin's default credential for prod (never staging's); a
 * mirror that cannot be reached fails the build after the publish. The engine's CopyTest, CopyStreamingTest and BlobCopyTest cover every rule
 * without Jenkins.
 */
@WithJenkins
class CopyManifestListStepTest {

    @RegisterExtension
    static BuildWatcherExtension buildWatcher = new BuildWatcherExtension();

    private static final String SRC_USER = "staging-reader";
    private static final String SRC_PASSWORD = "staging-Pa55w0rd-never-logged";
    private static final String DST_USER = "prod-pusher";
    private static final String DST_PASSWORD = "prod-Pa55w0rd-never-logged";

    @RegisterExtension
    private static final RegistryExtension<TestRegistry> staging =
            RegistryExtension.starting(() -> TestRegistry.basicAuth(SRC_USER, SRC_PASSWORD));

    @RegisterExtension
    private static final RegistryExtension<TestRegistry> prod =
            RegistryExtension.starting(() -> TestRegistry.basicAuth(DST_USER, DST_PASSWORD));

    private JenkinsRule j;
    private TestImages stagingImages;
    private TestImages prodImages;

    @BeforeEach
    void setUp(JenkinsRule rule) throws Exception {
        j = rule;
        SystemCredentialsProvider.getInstance()
                .getCredentials()
                .add(new UsernamePasswordCredentialsImpl(
                        CredentialsScope.GLOBAL, "staging-creds", "staging registry", SRC_USER, SRC_PASSWORD));
        SystemCredentialsProvider.getInstance()
                .getCredentials()
                .add(new UsernamePasswordCredentialsImpl(
                        CredentialsScope.GLOBAL, "prod-creds", "prod registry", DST_USER, DST_PASSWORD));
        SystemCredentialsProvider.getInstance().save();
        MultiarchConfiguration c = MultiarchConfiguration.get();
        c.setInsecureRegistries(staging.get().hostPort() + " " + prod.get().hostPort());
        // a process or a container: write and read through its address with its credentials
        stagingImages = TestImages.at(URI.create("http://" + staging.get().hostPort()), null, SRC_USER, SRC_PASSWORD);
        prodImages = TestImages.at(URI.create("http://" + prod.get().hostPort()), null, DST_USER, DST_PASSWORD);
    }

    private Pushed pushList(String repo) {
        Pushed amd = stagingImages.pushImage(repo, null, "linux/amd64", Format.OCI);
        Pushed arm = stagingImages.pushImage(repo, null, "linux/arm64/v8", Format.OCI);
        return stagingImages.pushIndex(
                repo,
                "1.0",
                Format.OCI,
                List.of(TestImages.entry(amd), TestImages.entry(arm), stagingImages.attestationFor(repo, amd)));
    }

    private WorkflowRun run(String name, String script, Result expected) throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class, name);
        p.setDefinition(new CpsFlowDefinition(script, true));
        return j.buildAndAssertStatus(expected, p);
    }

    @Test
    void copiesAListBetweenTwoRegistriesWithTheirOwnCredentialsKeepingTheDigest() throws Exception {
        Pushed list = pushList("onap/py-app");
        String src = staging.get().hostPort();
        String dst = prod.get().hostPort();
        WorkflowRun b = run("promote", """
                def copied = copyManifestList source: '%s/onap/py-app:1.0',
                        targets: ['%s/release/py-app'], tags: ['stable'],
                        credentialsIds: ['%s=staging-creds', '%s=prod-creds']
                echo "DIGEST=${copied.digest}"
                echo "OUTCOME=${copied.destinations[0].outcome}"
                echo "REFERENCE=${copied.destinations[0].reference}"
                """.formatted(src, dst, src, dst), Result.SUCCESS);
        j.assertLogContains("DIGEST=" + list.digest(), b);
        j.assertLogContains("OUTCOME=copied", b);
        j.assertLogContains("REFERENCE=" + dst + "/release/py-app@" + list.digest(), b);
        // the target has the source's exact bytes under the tag given, not under the source's tag
        TestImages.Fetched copied = prodImages.getManifest("release/py-app", "stable");
        assertEquals(200, copied.status());
        assertArrayEquals(list.manifest(), copied.body());
        assertEquals(list.digest(), TestImages.sha256(copied.body()));
        j.assertLogNotContains(SRC_PASSWORD, b);
        j.assertLogNotContains(DST_PASSWORD, b);

        // a second run is idempotent: the tag already holds the digest
        WorkflowRun again = run("promote-again", """
                def copied = copyManifestList source: '%s/onap/py-app:1.0',
                        targets: ['%s/release/py-app:stable'],
                        credentialsIds: ['%s=staging-creds', '%s=prod-creds']
                echo "OUTCOME=${copied.destinations[0].outcome}"
                """.formatted(src, dst, src, dst), Result.SUCCESS);
        j.assertLogContains("OUTCOME=unchanged", again);
    }

    @Test
    void anUnreachableTargetFailsTheBuildAfterTheOtherTargetGotTheList() throws Exception {
        Pushed list = pushList("onap/partial");
        String src = staging.get().hostPort();
        String dst = prod.get().hostPort();
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String down = "127.0.0.1:" + closedPort;
        MultiarchConfiguration.get().setInsecureRegistries(src + " " + dst + " " + down);
        WorkflowRun b = run("partial", """
                copyManifestList source: '%s/onap/partial:1.0',
                        targets: ['%s/gone/partial', '%s/release/partial'],
                        credentialsIds: ['%s=staging-creds', '%s=prod-creds']
                """.formatted(src, down, dst, src, dst), Result.FAILURE);
        j.assertLogContains("The list did not reach " + down + "/gone/partial", b);
        j.assertLogContains("cannot reach " + down, b);
        assertArrayEquals(
                list.manifest(),
                prodImages.getManifest("release/partial", "1.0").body());
    }

    @Test
    void credentialsForARegistryTheCopyDoesNotUseAreRefused() throws Exception {
        String src = staging.get().hostPort();
        WorkflowRun b = run("unused-credentials", """
                copyManifestList source: '%s/onap/x:1.0', targets: ['%s/other/x'],
                        credentialsIds: ['elsewhere.example=prod-creds']
                """.formatted(src, src), Result.FAILURE);
        j.assertLogContains("credentialsIds names elsewhere.example", b);
    }

    @Test
    void theParametersSurviveTheConfigurationForm() throws Exception {
        CopyManifestListStep before = new CopyManifestListStep(
                "staging.example/onap/py-app:1.0",
                List.of("prod.example/onap/py-app", "mirror.example/onap/py-app:stable"));
        before.setTags(List.of("1.0", "latest"));
        before.setCredentialsIds(List.of("prod.example=prod-creds", "mirror.example=mirror-creds"));
        j.assertEqualDataBoundBeans(before, new StepConfigTester(j).configRoundTrip(before));
    }

    // pushManifestList(mirrors:): the same promotion, right after the publish

    @Test
    void publishesThenMirrorsWithEachRegistrysOwnCredentials() throws Exception {
        String src = staging.get().hostPort();
        String dst = prod.get().hostPort();
        Pushed amd = stagingImages.pushImage("onap/app", "amd64", "linux/amd64", Format.OCI);
        Pushed arm = stagingImages.pushImage("onap/app", "arm64", "linux/arm64/v8", Format.OCI);
        MultiarchConfiguration.get().setRegistryCredentials(List.of(new RegistryCredential(dst, "prod-creds")));
        WorkflowRun b = run("mirror", """
                def p = pushManifestList image: '%s/onap/app', tags: ['1.0', 'latest'],
                        sources: ['%s/onap/app:amd64=linux/amd64', '%s/onap/app:arm64=linux/arm64'],
                        credentialsId: 'staging-creds', mirrors: ['%s/release/app']
                echo "DIGEST=${p.digest}"
                echo "MIRROR=${p.mirrors[0].outcome} ${p.mirrors[0].reference}"
                """.formatted(src, src, src, dst), Result.SUCCESS);
        TestImages.Fetched published = stagingImages.getManifest("onap/app", "1.0");
        String digest = TestImages.sha256(published.body());
        j.assertLogContains("DIGEST=" + digest, b);
        j.assertLogContains("MIRROR=copied " + dst + "/release/app@" + digest, b);
        for (String tag : List.of("1.0", "latest")) {
            TestImages.Fetched mirrored = prodImages.getManifest("release/app", tag);
            assertEquals(200, mirrored.status());
            assertArrayEquals(published.body(), mirrored.body());
        }
        assertEquals(200, prodImages.getManifest("release/app", amd.digest()).status());
        assertEquals(200, prodImages.getManifest("release/app", arm.digest()).status());
        j.assertLogNotContains(SRC_PASSWORD, b);
        j.assertLogNotContains(DST_PASSWORD, b);
    }

    @Test
    void anUnreachableMirrorFailsTheBuildAfterThePublish() throws Exception {
        String src = staging.get().hostPort();
        stagingImages.pushImage("onap/down", "amd64", "linux/amd64", Format.OCI);
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        MultiarchConfiguration.get()
                .setInsecureRegistries(src + " " + prod.get().hostPort() + " 127.0.0.1:" + closed);
        WorkflowRun b = run("mirror-down", """
                pushManifestList image: '%s/onap/down', tags: ['1.0'],
                        sources: ['%s/onap/down:amd64=linux/amd64'],
                        credentialsId: 'staging-creds', mirrors: ['127.0.0.1:%d/gone/app']
                """.formatted(src, src, closed), Result.FAILURE);
        j.assertLogContains("127.0.0.1:" + closed + "/gone/app", b);
        assertEquals(200, stagingImages.getManifest("onap/down", "1.0").status(), "the publish itself happened");
    }

    @Test
    void mirrorsSurviveAConfigRoundTrip() throws Exception {
        PushManifestListStep step = new PushManifestListStep("reg.example/onap/app", List.of("1.0"));
        step.setMirrors(List.of("mirror.example/onap/app", "other.example/prod/app:stable"));
        j.assertEqualDataBoundBeans(step, new StepConfigTester(j).configRoundTrip(step));
    }
}
