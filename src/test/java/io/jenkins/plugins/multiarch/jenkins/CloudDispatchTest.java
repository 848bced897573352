package io.jenkins.plugins.multiarch.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl;
import hudson.model.Computer;
import hudson.model.Descriptor;
import hudson.model.Label;
import hudson.model.Node;
import hudson.model.Result;
import hudson.model.queue.QueueTaskFuture;
import hudson.slaves.Cloud;
import hudson.slaves.DumbSlave;
import hudson.slaves.NodeProvisioner;
import io.jenkins.plugins.multiarch.builder.HostArchitecture;
import io.jenkins.plugins.multiarch.testing.TestRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.cps.SnippetizerTester;
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
 * Dispatch with clouds and the emulation policy, in real pipelines: a platform whose label only a cloud serves
 * is provisioned and built natively, not emulated, even with a wait of 0 (before, it fell back to emulation at
 * once); {@code emulation: 'never'} fails with an error that names the platform and what to configure; a wait
 * of 0 says it does not wait. The same decisions are covered without Jenkins by {@code flow.AgentChoiceTest}.
 *
 * <p>The cloud is {@link LocalCloud}: it answers the non-deprecated {@link Cloud#canProvision(Cloud.CloudState)}
 * and {@link Cloud#provision(Cloud.CloudState, int)} that {@code NodeProvisioner} calls, and launches local agents
 * as jenkins-test-harness's {@code DummyCloudImpl} does. The provisioner only runs every 10 s after a 100 s
 * start-up delay, so the tests ask it for a review ({@link NodeProvisioner#suggestReviewNow()}) while they wait.
 */
@WithJenkins
class CloudDispatchTest {

    @RegisterExtension
    static BuildWatcherExtension buildWatcher = new BuildWatcherExtension();

    private static final String CLOUD_LABEL = "cloud-native";
    private static final String EMULATION_LABEL = "emu";

    private JenkinsRule j;

    @BeforeEach
    void setUp(JenkinsRule rule) throws Exception {
        j = rule;
        j.createOnlineSlave(Label.get(EMULATION_LABEL));
        MultiarchConfiguration.get().setNativeAgentTimeout(0);
    }

    private static PlatformLabel entry(String platform, String label) {
        PlatformLabel p = new PlatformLabel(platform, label);
        p.setEmulationLabel(EMULATION_LABEL);
        return p;
    }

    private LocalCloud addCloud() {
        LocalCloud cloud = new LocalCloud(j, CLOUD_LABEL);
        j.jenkins.clouds.add(cloud);
        return cloud;
    }

    private WorkflowJob pipeline(String name, String script) throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class, name);
        p.setDefinition(new CpsFlowDefinition(script, true));
        return p;
    }

    /** Runs the build to its end, asking the label's provisioner for a review every half second meanwhile. */
    private WorkflowRun runWhileProvisioning(WorkflowJob p, String label) throws Exception {
        QueueTaskFuture<WorkflowRun> f = p.scheduleBuild2(0);
        assertNotNull(f, "scheduled");
        NodeProvisioner provisioner = j.jenkins.getLabel(label).nodeProvisioner;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!f.isDone()) {
            assertTrue(System.nanoTime() < deadline, "the build did not end within 5 minutes");
            provisioner.suggestReviewNow();
            Thread.sleep(500);
        }
        return f.get();
    }

    @Test
    void aLabelOnlyACloudServesIsProvisionedNotEmulated() throws Exception {
        MultiarchConfiguration.get().setPlatforms(List.of(entry("linux/arm64", CLOUD_LABEL)));
        LocalCloud cloud = addCloud();
        WorkflowJob p = pipeline("cloud-select", """
                def choice = multiArchSelectAgent platform: 'linux/arm64'
                echo "CHOICE label=${choice.label} emulated=${choice.emulated} emulation=${choice.emulation}"
                node(choice.label) {
                  echo "RAN ON ${env.NODE_NAME}"
                }
                """);
        WorkflowRun b = j.assertBuildStatusSuccess(runWhileProvisioning(p, CLOUD_LABEL));

        j.assertLogContains("CHOICE label=" + CLOUD_LABEL + " emulated=false emulation=fallback", b);
        j.assertLogContains(Messages.SelectAgent_NativeFromCloud("linux/arm64", CLOUD_LABEL), b);
        assertFalse(cloud.provisioned.isEmpty(), "the cloud was asked for a node");
        j.assertLogContains("RAN ON " + cloud.provisioned.get(0), b);
        j.assertLogNotContains("under emulation", b);
    }

    @Test
    void multiArchBuildRunsNativelyOnTheProvisionedNode() throws Exception {
        String builder = PipelineComponents.builder();
        String user = "ci-user";
        String password = "cloud-Pa55w0rd-never-logged";
        try (TestRegistry registry = TestRegistry.basicAuth(user, password)) {
            SystemCredentialsProvider.getInstance()
                    .getCredentials()
                    .add(new UsernamePasswordCredentialsImpl(
                            CredentialsScope.GLOBAL, "registry-creds", "test registry", user, password));
            SystemCredentialsProvider.getInstance().save();
            // This machine's own platform: only the cloud's node can build it natively.
            String platform = HostArchitecture.ofThisMachine().toString();
            MultiarchConfiguration c = MultiarchConfiguration.get();
            c.setPlatforms(List.of(entry(platform, CLOUD_LABEL)));
            c.setDefaultBuilder(builder);
            c.setInsecureRegistries(registry.hostPort());
            LocalCloud cloud = addCloud();
            WorkflowJob p = pipeline("cloud-build", """
                    multiArchBuild(image: '%s/demo/cloud', tags: ['1.0'], platforms: ['%s'],
                                   credentialsId: 'registry-creds') {
                      writeFile file: 'Dockerfile', text: 'FROM scratch\\nCOPY hello.txt /hello.txt\\n'
                      writeFile file: 'hello.txt', text: "built for ${env.MULTIARCH_PLATFORM} on ${env.NODE_NAME}"
                    }
                    """.formatted(registry.hostPort(), platform));
            WorkflowRun b = j.assertBuildStatusSuccess(runWhileProvisioning(p, CLOUD_LABEL));

            assertFalse(cloud.provisioned.isEmpty(), "the cloud was asked for a node");
            MultiarchAction.ImageEntry image =
                    b.getAction(MultiarchAction.class).getImages().get(0);
            MultiarchAction.PlatformBuild built = image.getBuilds().get(0);
            assertTrue(cloud.provisioned.contains(built.getAgent()), built.getAgent() + " is a node of the cloud");
            assertFalse(built.isEmulated(), "built natively");
            assertEquals(Boolean.TRUE, built.getVerified(), "in the published list with its own digest");
            j.assertLogContains(Messages.SelectAgent_NativeFromCloud(platform, CLOUD_LABEL), b);
            j.assertLogNotContains("under emulation", b);
            j.assertLogNotContains(password, b);
        }
    }

    @Test
    void emulationNeverRefusesWithAnErrorThatSaysWhatToConfigure() throws Exception {
        // No agent and no cloud has the native label; an online agent has the emulation label.
        MultiarchConfiguration.get().setPlatforms(List.of(entry("linux/arm64", "arm64-nowhere")));
        WorkflowJob p = pipeline("never", """
                multiArchBuild(image: 'registry.example/demo/never', tags: ['1.0'], platforms: ['linux/arm64'],
                               emulation: 'never') {
                  echo 'BODY RAN'
                }
                """);
        WorkflowRun b = j.assertBuildStatus(Result.FAILURE, p.scheduleBuild2(0));

        j.assertLogContains(Messages.SelectAgent_RefusedEmulationNever("linux/arm64", "arm64-nowhere"), b);
        j.assertLogNotContains("BODY RAN", b);
        assertNull(b.getAction(MultiarchAction.class), "nothing was built");
    }

    @Test
    void anUnknownPolicyOrAContradictionFailsBeforeAnyBranch() throws Exception {
        MultiarchConfiguration.get().setPlatforms(List.of(entry("linux/arm64", EMULATION_LABEL)));
        WorkflowJob typo = pipeline("typo", """
                multiArchBuild(image: 'registry.example/demo/typo', tags: ['1.0'], optionalPlatforms: ['linux/arm64'],
                               emulation: 'sometimes') {
                  echo 'BODY RAN'
                }
                """);
        WorkflowRun b = j.assertBuildStatus(Result.FAILURE, typo.scheduleBuild2(0));
        j.assertLogContains("emulation must be 'never', 'fallback' or 'always', not 'sometimes'", b);
        j.assertLogNotContains("BODY RAN", b);

        WorkflowJob both = pipeline("both", """
                multiArchBuild(image: 'registry.example/demo/both', tags: ['1.0'], platforms: ['linux/arm64'],
                               emulation: 'never', allowEmulation: true) {
                  echo 'BODY RAN'
                }
                """);
        WorkflowRun b2 = j.assertBuildStatus(Result.FAILURE, both.scheduleBuild2(0));
        j.assertLogContains("contradict", b2);
        j.assertLogNotContains("BODY RAN", b2);
    }

    @Test
    void aZeroWaitSaysItDoesNotWait() throws Exception {
        MultiarchConfiguration.get().setPlatforms(List.of(entry("linux/arm64", "arm64-nowhere")));
        WorkflowJob p = pipeline("zero-wait", """
                def choice = multiArchSelectAgent platform: 'linux/arm64'
                echo "CHOICE label=${choice.label} emulated=${choice.emulated}"
                """);
        WorkflowRun b = j.buildAndAssertSuccess(p);

        j.assertLogContains(Messages.SelectAgent_EmulatingWithoutWait("linux/arm64", EMULATION_LABEL), b);
        j.assertLogContains("CHOICE label=" + EMULATION_LABEL + " emulated=true", b);
        j.assertLogNotContains("waiting up to", b);
    }

    @Test
    void theGlobalPolicyAppliesUnlessTheCallSetsOne() throws Exception {
        j.createOnlineSlave(Label.get("arm64"));
        MultiarchConfiguration c = MultiarchConfiguration.get();
        c.setPlatforms(List.of(entry("linux/arm64", "arm64")));
        c.setEmulation("always");
        WorkflowJob p = pipeline("global", """
                def byAdmin = multiArchSelectAgent platform: 'linux/arm64'
                echo "GLOBAL label=${byAdmin.label} emulated=${byAdmin.emulated} emulation=${byAdmin.emulation}"
                def byCall = multiArchSelectAgent platform: 'linux/arm64', emulation: 'fallback'
                echo "CALL label=${byCall.label} emulated=${byCall.emulated} emulation=${byCall.emulation}"
                """);
        WorkflowRun b = j.buildAndAssertSuccess(p);

        j.assertLogContains("GLOBAL label=" + EMULATION_LABEL + " emulated=true emulation=always", b);
        j.assertLogContains(Messages.SelectAgent_EmulatingAlways("linux/arm64", EMULATION_LABEL), b);
        j.assertLogContains("CALL label=arm64 emulated=false emulation=fallback", b);
        j.assertLogContains(Messages.SelectAgent_NativeOnline("linux/arm64", "arm64"), b);
    }

    @Test
    void theSelectStepsPolicyRoundTripsThroughItsFormAndSnippet() throws Exception {
        SelectAgentStep step = new SelectAgentStep("linux/arm64");
        step.setEmulation("never");
        j.assertEqualDataBoundBeans(step, new StepConfigTester(j).configRoundTrip(step));
        SelectAgentStep plain = new SelectAgentStep("linux/arm64");
        j.assertEqualDataBoundBeans(plain, new StepConfigTester(j).configRoundTrip(plain));
        SnippetizerTester st = new SnippetizerTester(j);
        st.assertRoundTrip(step, "multiArchSelectAgent emulation: 'never', platform: 'linux/arm64'");
        st.assertRoundTrip(plain, "multiArchSelectAgent 'linux/arm64'");
    }

    /**
     * Provisions local agents for one label, through the non-deprecated Cloud API. Its descriptor is never
     * asked for on these paths (as with core's own test clouds in NodeProvisionerTest).
     */
    static final class LocalCloud extends Cloud {

        private final transient JenkinsRule rule;
        private final String labels;
        /** Names of the nodes it was asked for, in order. */
        final transient List<String> provisioned = new CopyOnWriteArrayList<>();

        LocalCloud(JenkinsRule rule, String labels) {
            super("local-cloud");
            this.rule = rule;
            this.labels = labels;
        }

        @Override
        public boolean canProvision(CloudState state) {
            Label label = state.getLabel();
            return label != null && label.matches(Label.parse(labels));
        }

        @Override
        public Collection<NodeProvisioner.PlannedNode> provision(CloudState state, int excessWorkload) {
            List<NodeProvisioner.PlannedNode> planned = new ArrayList<>();
            if (!canProvision(state)) {
                return planned;
            }
            for (int i = 0; i < excessWorkload; i++) {
                String name = "cloud-agent-" + (provisioned.size() + 1);
                provisioned.add(name);
                planned.add(new NodeProvisioner.PlannedNode(
                        name, Computer.threadPoolForRemoting.submit(new Launch(rule, name, labels)), 1));
            }
            return planned;
        }

        @Override
        public Descriptor<Cloud> getDescriptor() {
            throw new UnsupportedOperationException();
        }
    }

    /** Starts one local agent and waits until it is connected, as a cloud's launch would. */
    private record Launch(JenkinsRule rule, String name, String labels) implements Callable<Node> {
        @Override
        public Node call() throws Exception {
            DumbSlave agent = rule.createSlave(name, labels, null);
            agent.toComputer().connect(false).get();
            return agent;
        }
    }
}
