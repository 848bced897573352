package io.jenkins.plugins.multiarch.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl;
import hudson.model.Label;
import hudson.model.Result;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.TestRegistry;
import java.util.List;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.BuildWatcherExtension;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * The whole flow in real pipelines: two online agents labelled amd64 and arm64, a real docker-registry with
 * basic auth (a process or a container: TestRegistry), the real buildah builder, or the docker builder where
 * only Docker is installed. Images are FROM scratch + COPY, so no base image download and no
 * emulator is needed (the arm64 agent is this amd64 machine: its build is allowed as emulated).
 * The same behaviours are covered without Jenkins by core's publisher and builder tests.
 */
@WithJenkins
class MultiArchPipelineTest {

    @RegisterExtension
    static BuildWatcherExtension buildWatcher = new BuildWatcherExtension();

    private static final String USER = "ci-user";
    private static final String PASSWORD = "s3cr3t-Pa55w0rd-never-logged";
    private static String builder;

    @RegisterExtension
    private static final RegistryExtension<TestRegistry> registry =
            RegistryExtension.starting(() -> TestRegistry.basicAuth(USER, PASSWORD));

    private JenkinsRule j;

    @BeforeAll
    static void chooseBuilder() {
        builder = PipelineComponents.builder();
    }

    @BeforeEach
    void setUp(JenkinsRule rule) throws Exception {
        j = rule;
        j.createOnlineSlave(Label.get("amd64"));
        j.createOnlineSlave(Label.get("arm64"));
        SystemCredentialsProvider.getInstance()
                .getCredentials()
                .add(new UsernamePasswordCredentialsImpl(
                        CredentialsScope.GLOBAL, "registry-creds", "test registry", USER, PASSWORD));
        SystemCredentialsProvider.getInstance().save();
        MultiarchConfiguration c = MultiarchConfiguration.get();
        c.setPlatforms(List.of(new PlatformLabel("linux/amd64", "amd64"), new PlatformLabel("linux/arm64", "arm64")));
        c.setDefaultBuilder(builder);
        c.setRegistryCredentials(List.of(new RegistryCredential(registry.get().hostPort(), "registry-creds")));
        c.setInsecureRegistries(registry.get().hostPort());
    }

    private static final String WRITE_CONTEXT = """
            writeFile file: 'Dockerfile', text: 'FROM scratch\\nCOPY hello.txt /hello.txt\\n'
            writeFile file: 'hello.txt', text: "built for ${env.MULTIARCH_PLATFORM}"
            """;

    private String image(String repo) {
        return registry.get().hostPort() + "/" + repo;
    }

    @Test
    void scriptedMultiArchBuildPublishesVerifiedList() throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class, "scripted");
        p.setDefinition(new CpsFlowDefinition("""
                def list = multiArchBuild(image: '%s', tags: ['1.0', 'latest'],
                                          platforms: ['linux/amd64', 'linux/arm64'], allowEmulation: true) {
                  %s
                }
                echo "LIST=${list.digest}"
                echo "ENV=${env.MULTIARCH_LIST_DIGEST}"
                """.formatted(image("demo/app"), WRITE_CONTEXT), true));
        WorkflowRun b = j.buildAndAssertSuccess(p);

        MultiarchAction action = b.getAction(MultiarchAction.class);
        assertNotNull(action, "the build carries the multiarch action");
        MultiarchAction.ImageEntry entry = action.getImages().get(0);
        assertEquals(2, entry.getBuilds().size());
        MultiarchAction.Publication pub = entry.getPublication();
        assertNotNull(pub);
        assertEquals(
                List.of("linux/amd64", "linux/arm64"),
                pub.getChildren().stream()
                        .map(MultiarchAction.Child::getPlatform)
                        .sorted()
                        .toList());
        for (MultiarchAction.PlatformBuild build : entry.getBuilds()) {
            assertEquals(
                    Boolean.TRUE, build.getVerified(), build.getPlatform() + " is in the list with its own digest");
            assertTrue(
                    b.getArtifactManager().root().child(build.getRecordPath()).isFile(), build.getRecordPath());
        }
        assertTrue(
                entry.getBuilds().stream().anyMatch(MultiarchAction.PlatformBuild::isEmulated),
                "arm64 ran emulated here");
        j.assertLogContains("LIST=" + pub.getListDigest(), b);
        j.assertLogContains("ENV=" + pub.getListDigest(), b);
        j.assertLogNotContains(PASSWORD, b);

        // A peer reading: the tag in the registry is the list we reported.
        RegistryClient client = new RegistryClient(RegistrySettings.builder()
                .credentials(CredentialsSource.of(registry.get().hostPort(), RegistryCredentials.of(USER, PASSWORD)))
                .insecureRegistry(registry.get().hostPort())
                .build());
        RawManifest list = client.fetchManifest(ImageReference.parse(image("demo/app") + ":latest"));
        assertEquals(pub.getListDigest(), list.digest().toString());

        // The summary and the detail page render for a reviewer.
        JenkinsRule.WebClient wc = j.createWebClient();
        assertTrue(wc.getPage(b).asNormalizedText().contains(pub.getListDigest()));
        assertTrue(wc.getPage(b, "multiarch/").asNormalizedText().contains("linux/arm64"));

        // A second build: nothing changed in the image content, but the comparison is made.
        WorkflowRun b2 = j.buildAndAssertSuccess(p);
        MultiarchAction a2 = b2.getAction(MultiarchAction.class);
        assertEquals(2, a2.changesOf(a2.getImages().get(0)).size());
    }

    @Test
    void declarativeMatrixThenPublish() throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class, "declarative");
        p.setDefinition(
                new CpsFlowDefinition("""
                pipeline {
                  agent none
                  stages {
                    stage('images') {
                      matrix {
                        axes { axis { name 'ARCH'; values 'amd64', 'arm64' } }
                        agent { label "${ARCH}" }
                        stages {
                          stage('build') {
                            steps {
                              writeFile file: 'Dockerfile', text: 'FROM scratch\\nCOPY hello.txt /hello.txt\\n'
                              writeFile file: 'hello.txt', text: "built for ${ARCH}"
                              buildArchImage image: '%s', platform: "linux/${ARCH}", allowEmulation: true
                            }
                          }
                        }
                      }
                    }
                    stage('publish') {
                      steps {
                        pushManifestList image: '%s', tags: ['1.0']
                      }
                    }
                  }
                }
                """.formatted(image("demo/declarative"), image("demo/declarative")), true));
        WorkflowRun b = j.buildAndAssertSuccess(p);
        MultiarchAction.Publication pub =
                b.getAction(MultiarchAction.class).getImages().get(0).getPublication();
        assertNotNull(pub);
        assertEquals(2, pub.getChildren().size());
        j.assertLogNotContains(PASSWORD, b);
    }

    @Test
    void failedOptionalPlatformMakesBuildUnstableAndIsLeftOut() throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class, "optional");
        p.setDefinition(new CpsFlowDefinition("""
                multiArchBuild(image: '%s', tags: ['1.0'], platforms: ['linux/amd64'],
                               optionalPlatforms: ['linux/arm64'], allowEmulation: true) {
                  if (env.MULTIARCH_PLATFORM == 'linux/arm64') {
                    error 'simulated arm64 outage'
                  }
                  %s
                }
                """.formatted(image("demo/optional"), WRITE_CONTEXT), true));
        WorkflowRun b = j.assertBuildStatus(Result.UNSTABLE, p.scheduleBuild2(0));
        MultiarchAction.Publication pub =
                b.getAction(MultiarchAction.class).getImages().get(0).getPublication();
        assertNotNull(pub);
        assertEquals(
                List.of("linux/amd64"),
                pub.getChildren().stream()
                        .map(MultiarchAction.Child::getPlatform)
                        .toList());
        assertEquals(List.of("linux/arm64"), pub.getMissingOptionalPlatforms());
        j.assertLogContains("optional platform linux/arm64 failed", b);
    }

    @Test
    void missingRequiredPlatformFailsAndPublishesNothing() throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class, "required");
        p.setDefinition(new CpsFlowDefinition(
                """
                node('amd64') {
                  %s
                  buildArchImage image: '%s', platform: 'linux/amd64'
                }
                pushManifestList image: '%s', tags: ['1.0'], platforms: ['linux/amd64', 'linux/arm64']
                """.formatted(WRITE_CONTEXT, image("demo/required"), image("demo/required")), true));
        WorkflowRun b = j.assertBuildStatus(Result.FAILURE, p.scheduleBuild2(0));
        j.assertLogContains("linux/arm64", b);
        assertEquals(null, b.getAction(MultiarchAction.class).getImages().get(0).getPublication());
        j.assertLogNotContains(PASSWORD, b);
    }

    @Test
    void anUnknownBuilderIsRefusedBeforeAnythingIsBuilt() throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class, "kaniko");
        p.setDefinition(new CpsFlowDefinition("""
                node('amd64') {
                  %s
                  buildArchImage image: '%s', platform: 'linux/amd64', builder: 'kaniko'
                }
                """.formatted(WRITE_CONTEXT, image("demo/kaniko")), true));
        WorkflowRun b = j.assertBuildStatus(Result.FAILURE, p.scheduleBuild2(0));
        j.assertLogContains("builder 'kaniko' is unknown: use docker (Docker Engine) or buildah", b);
        assertEquals(null, b.getAction(MultiarchAction.class), "nothing was built or recorded");
    }

    @Test
    void theControllerContactsNoRegistryOutsideTheAdminsAllowlist() throws Exception {
        MultiarchConfiguration.get().setAllowedRegistries("registry.example");
        int mark = registry.get().accessLog().size();
        WorkflowJob p = j.createProject(WorkflowJob.class, "allowlist");
        p.setDefinition(new CpsFlowDefinition(
                "pushManifestList image: '%s', tags: ['1.0'], sources: ['%s=linux/amd64']"
                        .formatted(image("demo/allow"), image("demo/allow-amd64:1.0")),
                true));
        WorkflowRun b = j.assertBuildStatus(Result.FAILURE, p.scheduleBuild2(0));
        j.assertLogContains(
                "registry " + registry.get().hostPort() + " is not among the registries this client may contact "
                        + "[registry.example]",
                b);
        assertEquals(mark, registry.get().accessLog().size(), "no request reached the registry");
    }
}
