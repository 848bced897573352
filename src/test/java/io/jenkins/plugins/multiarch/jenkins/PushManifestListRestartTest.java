package io.jenkins.plugins.multiarch.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl;
import hudson.model.Label;
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
 * A controller restart while pushManifestList waits on the registry: on resume the step publishes again
 * (idempotent) and the build succeeds. Core's publisher tests cover the idempotent re-publish without Jenkins.
 */
class PushManifestListRestartTest {

    @RegisterExtension
    static BuildWatcherExtension buildWatcher = new BuildWatcherExtension();

    @RegisterExtension
    private final JenkinsSessionExtension sessions = new JenkinsSessionExtension();

    private static final String USER = "ci-user";
    private static final String PASSWORD = "restart-Pa55w0rd-never-logged";
    private static TestRegistry registry;
    private static String builder;
    private static PausingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        builder = PipelineComponents.builder();
        registry = TestRegistry.basicAuth(USER, PASSWORD);
        proxy = new PausingProxy(registry.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void restartDuringPublishPublishesOnResume() throws Throwable {
        String image = proxy.hostPort() + "/demo/restart";
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
            c.setCredentialsId("registry-creds");
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
        });
        sessions.then(j -> {
            proxy.resume();
            WorkflowJob p = j.jenkins.getItemByFullName("restart", WorkflowJob.class);
            assertNotNull(p);
            WorkflowRun b = p.getBuildByNumber(1);
            j.assertBuildStatusSuccess(j.waitForCompletion(b));
            j.assertLogContains("publishing again", b);
            MultiarchAction.Publication pub =
                    b.getAction(MultiarchAction.class).getImages().get(0).getPublication();
            assertNotNull(pub);
            j.assertLogContains("LIST=" + pub.getListDigest(), b);
            assertEquals(1, pub.getChildren().size());
            j.assertLogNotContains(PASSWORD, b);
        });
    }
}
