package io.jenkins.plugins.multiarch.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl;
import hudson.model.Label;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.TestRegistry;
import java.util.List;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.jenkinsci.plugins.workflow.test.steps.SemaphoreStep;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jvnet.hudson.test.junit.jupiter.BuildWatcherExtension;
import org.jvnet.hudson.test.junit.jupiter.JenkinsSessionExtension;

/**
 * A controller restart while pushManifestList waits on the registry: on resume the step itself publishes again
 * and the build succeeds. The first session's publish thread outlives the in-JVM restart, so the registry's
 * password is rotated with the restart: only the resumed step, which resolves the credential anew, can write,
 * and the registry's access log shows its tag PUT after the restart. The engine's publisher tests cover the
 * idempotent re-publish without Jenkins.
 */
class PushManifestListRestartTest {

    @RegisterExtension
    static BuildWatcherExtension buildWatcher = new BuildWatcherExtension();

    @RegisterExtension
    private final JenkinsSessionExtension sessions = new JenkinsSessionExtension();

    private static final String USER = "ci-user";
    private static final String PASSWORD = "restart-Pa55w0rd-never-logged";
    private static final String ROTATED = "rotated-Pa55w0rd-never-logged";
    private static String builder;
    private static PausingProxy proxy;

    @RegisterExtension
    private static final RegistryExtension<TestRegistry> registry =
            RegistryExtension.starting(() -> TestRegistry.basicAuth(USER, PASSWORD));

    @BeforeAll
    static void start() throws Exception {
        builder = PipelineComponents.builder();
        proxy = new PausingProxy(registry.get().port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void restartDuringPublishPublishesOnResume() throws Throwable {
        String image = proxy.hostPort() + "/demo/restart";
        int[] markAtRestart = new int[1];
        sessions.then(j -> {
            j.createOnlineSlave(Label.get("amd64"));
            SystemCredentialsProvider.getInstance()
                    .getCredentials()
                    .add(new UsernamePasswordCredentialsImpl(
                            CredentialsScope.GLOBAL, "registry-creds", "test", USER, PASSWORD));
            SystemCredentialsProvider.getInstance().save();
            MultiarchConfiguration c = MultiarchConfiguration.get();
            c.setPlatforms(List.of(new PlatformLabel("linux/amd64", "amd64")));
            c.setDefaultBuilder(builder);
            c.setRegistryCredentials(List.of(new RegistryCredential(proxy.hostPort(), "registry-creds")));
            c.setInsecureRegistries(proxy.hostPort());
            WorkflowJob p = j.createProject(WorkflowJob.class, "restart");
            p.setDefinition(new CpsFlowDefinition("""
                    node('amd64') {
                      writeFile file: 'Dockerfile', text: 'FROM scratch\\nCOPY hello.txt /hello.txt\\n'
                      writeFile file: 'hello.txt', text: 'hello'
                      buildArchImage image: '%s', platform: 'linux/amd64'
                    }
                    semaphore 'before-publish'
                    def list = pushManifestList image: '%s', tags: ['1.0']
                    echo "LIST=${list.digest}"
                    """.formatted(image, image), true));
            WorkflowRun b = p.scheduleBuild2(0).waitForStart();
            SemaphoreStep.waitForStart("before-publish/1", b);
            proxy.pause(); // the publish's first request is accepted but never answered
            SemaphoreStep.success("before-publish/1", null);
            j.waitForMessage("multiarch: publishing", b);
            // This session's publish thread survives the in-JVM restart, holding the password it resolved.
            // Rotate it (registry and Jenkins credential), so that only a publish started after the restart,
            // which resolves the credential again, can write: the old thread gets 401 once the proxy resumes.
            registry.get().changePassword(ROTATED);
            SystemCredentialsProvider.getInstance().getCredentials().clear();
            SystemCredentialsProvider.getInstance()
                    .getCredentials()
                    .add(new UsernamePasswordCredentialsImpl(
                            CredentialsScope.GLOBAL, "registry-creds", "test", USER, ROTATED));
            SystemCredentialsProvider.getInstance().save();
            markAtRestart[0] = registry.get().accessLog().size();
        });
        sessions.then(j -> {
            proxy.resume();
            WorkflowJob p = j.jenkins.getItemByFullName("restart", WorkflowJob.class);
            assertNotNull(p);
            WorkflowRun b = p.getBuildByNumber(1);
            j.assertBuildStatusSuccess(j.waitForCompletion(b));
            j.assertLogContains("publishing again", b);
            j.assertLogNotContains("not written again", b); // the tag was written by this session, not found
            MultiarchAction.Publication pub =
                    b.getAction(MultiarchAction.class).getImages().get(0).getPublication();
            assertNotNull(pub);
            j.assertLogContains("LIST=" + pub.getListDigest(), b);
            assertEquals(1, pub.getChildren().size());
            List<String> afterRestart =
                    registry
                            .get()
                            .accessLog()
                            .subList(
                                    markAtRestart[0], registry.get().accessLog().size())
                            .stream()
                            .map(Object::toString)
                            .toList();
            assertTrue(
                    afterRestart.contains("PUT /v2/demo/restart/manifests/1.0 201"),
                    "the resumed step put the tag after the restart: " + afterRestart);
            assertEquals(
                    1,
                    registry.get().accessLog().stream()
                            .filter(r -> r.toString().equals("PUT /v2/demo/restart/manifests/1.0 201"))
                            .count(),
                    "the tag was put once, by the resumed step");
            j.assertLogNotContains(PASSWORD, b);
            j.assertLogNotContains(ROTATED, b);
        });
    }
}
