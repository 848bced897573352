package io.jenkins.plugins.multiarch.jenkins;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl;
import hudson.model.Result;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.TestRegistry;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jvnet.hudson.test.junit.jupiter.BuildWatcherExtension;
import org.jvnet.hudson.test.junit.jupiter.JenkinsSessionExtension;

/**
 * A controller restart while buildArchImage pushes (the registry sits behind a paused proxy, so the push hangs):
 * after the restart the step ends the build with its own message. GeneralNonBlockingStepExecution's default
 * onResume fails the step only when the program was saved while the step's thread ran, and does nothing (the
 * build waits forever) when it was saved before that thread started; the override ends the step in both cases, in
 * one code path, so its message in the log shows the override ran. (Which of the two cases a restart hits depends
 * on timing; this session restart saves the program while the thread runs.)
 */
class BuildArchImageRestartTest {

    @RegisterExtension
    static BuildWatcherExtension buildWatcher = new BuildWatcherExtension();

    @RegisterExtension
    private final JenkinsSessionExtension sessions = new JenkinsSessionExtension();

    private static final String USER = "ci-user";
    private static final String PASSWORD = "resume-Pa55w0rd-never-logged";
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
            proxy.close(); // lets the first session's stranded push end
        }
    }

    @Test
    void aRestartDuringTheBuildEndsTheStepWithAMessage() throws Throwable {
        String image = proxy.hostPort() + "/demo/resume-build";
        sessions.then(j -> {
            j.jenkins.setNumExecutors(1); // the built-in node: it is there again after the restart
            SystemCredentialsProvider.getInstance()
                    .getCredentials()
                    .add(new UsernamePasswordCredentialsImpl(
                            CredentialsScope.GLOBAL, "registry-creds", "test", USER, PASSWORD));
            SystemCredentialsProvider.getInstance().save();
            MultiarchConfiguration c = MultiarchConfiguration.get();
            c.setDefaultBuilder(builder);
            c.setInsecureRegistries(proxy.hostPort());
            WorkflowJob p = j.createProject(WorkflowJob.class, "resume");
            p.setDefinition(new CpsFlowDefinition("""
                    node {
                      writeFile file: 'Dockerfile', text: 'FROM scratch\\nCOPY hello.txt /hello.txt\\n'
                      writeFile file: 'hello.txt', text: 'hello'
                      buildArchImage image: '%s', credentialsId: 'registry-creds'
                      echo 'NOT-REACHED'
                    }
                    """.formatted(image), true));
            proxy.pause(); // the push's connections are accepted but never answered
            WorkflowRun b = p.scheduleBuild2(0).waitForStart();
            j.waitForMessage("pushing " + image, b);
        });
        sessions.then(j -> {
            WorkflowJob p = j.jenkins.getItemByFullName("resume", WorkflowJob.class);
            assertNotNull(p);
            WorkflowRun b = p.getBuildByNumber(1);
            j.assertBuildStatus(Result.FAILURE, j.waitForCompletion(b));
            j.assertLogContains(Messages.BuildArchImage_NotResumed(image), b);
            j.assertLogContains("cannot be resumed after a controller restart", b);
            j.assertLogNotContains("NOT-REACHED", b);
            j.assertLogNotContains(PASSWORD, b);
        });
    }
}
