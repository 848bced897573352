package io.jenkins.plugins.multiarch.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl;
import hudson.model.Label;
import hudson.model.Result;
import hudson.util.Secret;
import io.jenkins.plugins.multiarch.MultiarchVersion;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.manifest.ImageManifest;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestRegistry;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl;
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
 * buildArchImage on a remote agent (JenkinsRule's agents are separate JVMs on a real remoting channel), against a
 * real basic-auth registry, with the real builder (buildah, or docker where only Docker runs): the agent's lines
 * arrive before the step ends and in order; failures cross back as their message; what comes back is checked;
 * secrets (secret build args, a token in GIT_URL) reach neither the log nor the build's files nor the image; the
 * User-Agent names the plugin's version, not "dev". The logic behind each is tested without Jenkins too:
 * PortableErrorsTest, RecordCheckTest, SecretBuildArgsTest, SourceUrlTest, MultiarchVersionTest,
 * DockerEnginePlainHttpTest.
 */
@WithJenkins
class BuildArchImageAgentTest {

    @RegisterExtension
    static BuildWatcherExtension buildWatcher = new BuildWatcherExtension();

    private static final String USER = "agent-user";
    private static final String PASSWORD = "agent-Pa55w0rd-never-logged";
    private static final String SECRET = "npm-S3cret-token-never-anywhere";
    private static final String URL_TOKEN = "ghp_UrlToken0123456789";
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
        j.createOnlineSlave(Label.get("remote"));
        SystemCredentialsProvider.getInstance()
                .getCredentials()
                .add(new UsernamePasswordCredentialsImpl(
                        CredentialsScope.GLOBAL, "registry-creds", "test registry", USER, PASSWORD));
        SystemCredentialsProvider.getInstance()
                .getCredentials()
                .add(new StringCredentialsImpl(
                        CredentialsScope.GLOBAL, "npm-token", "npm token", Secret.fromString(SECRET)));
        SystemCredentialsProvider.getInstance().save();
        MultiarchConfiguration c = MultiarchConfiguration.get();
        c.setDefaultBuilder(builder);
        c.setInsecureRegistries(registry.get().hostPort());
    }

    private String image(String repo) {
        return registry.get().hostPort() + "/" + repo;
    }

    private WorkflowRun run(String name, String script) throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class, name);
        p.setDefinition(new CpsFlowDefinition(script, true));
        return p.scheduleBuild2(0).get();
    }

    @Test
    void agentLinesArriveBeforeTheStepEndsAndInOrder() throws Exception {
        // Three builds in a row, each followed by a marker: before the flush, the remote stream's buffer kept
        // the last lines of a build until a timer or the next step, and sometimes lost them.
        String image = image("demo/flush");
        WorkflowRun b = j.assertBuildStatusSuccess(run("flush", """
                node('remote') {
                  writeFile file: 'Dockerfile', text: 'FROM scratch\\nCOPY hello.txt /hello.txt\\n'
                  for (int i = 0; i < 3; i++) {
                    writeFile file: 'hello.txt', text: "round ${i}"
                    buildArchImage image: '%s', tags: ["r${i}"], naming: 'tag-suffix', credentialsId: 'registry-creds'
                    echo "AFTER-ROUND-${i}"
                  }
                }
                """.formatted(image)));
        String log = JenkinsRule.getLog(b);
        int from = 0;
        for (int i = 0; i < 3; i++) {
            int marker = log.indexOf("AFTER-ROUND-" + i, from);
            assertTrue(marker > 0, "marker " + i);
            String round = log.substring(from, marker);
            int pushing = round.indexOf("pushing " + image + ":r" + i + "-");
            int confirmed = round.indexOf("confirmed by the registry");
            int done = round.indexOf("record archived as");
            assertTrue(pushing >= 0, "round " + i + " has its agent's push line before its marker:\n" + round);
            assertTrue(confirmed > pushing, "round " + i + " has its agent's last line, after the push:\n" + round);
            assertTrue(done > confirmed, "the agent's last line comes before the controller's:\n" + round);
            from = marker;
        }
        j.assertLogNotContains(PASSWORD, b);
    }

    @Test
    void aFailureOnTheAgentEndsTheStepWithItsMessageAfterTheAgentsLines() throws Exception {
        WorkflowRun b = run("failing", """
                node('remote') {
                  writeFile file: 'Dockerfile', text: 'FROM scratch\\n'
                  buildArchImage image: '%s', context: 'no-such-folder', credentialsId: 'registry-creds'
                }
                """.formatted(image("demo/failing")));
        j.assertBuildStatus(Result.FAILURE, b);
        String log = JenkinsRule.getLog(b);
        int building = log.indexOf("multiarch: building");
        int error = log.indexOf("ERROR: build context");
        assertTrue(building >= 0 && error > building, "the agent's line, then the error:\n" + log);
        j.assertLogContains("no-such-folder' is not a directory", b);
        j.assertLogNotContains("ProxyException", b);
        j.assertLogNotContains("InvalidInputException", b);
    }

    @Test
    void anUnreachableEngineReportsTheEnginesAddressNotAClassFilterError() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        // the docker builder's failure carries a chain of docker-java and httpclient5 exceptions on the agent
        WorkflowRun b = run("unreachable", """
                node('remote') {
                  writeFile file: 'Dockerfile', text: 'FROM scratch\\n'
                  withEnv(['DOCKER_HOST=tcp://127.0.0.1:%d']) {
                    buildArchImage image: '%s', builder: 'docker'
                  }
                }
                """.formatted(closed, image("demo/unreachable")));
        j.assertBuildStatus(Result.FAILURE, b);
        j.assertLogContains("ERROR: cannot reach the Docker Engine at tcp://127.0.0.1:" + closed, b);
        j.assertLogNotContains("ProxyException", b);
    }

    @Test
    void secretsReachNeitherTheLogNorTheBuildNorTheImage() throws Exception {
        String image = image("demo/secrets");
        WorkflowRun b = j.assertBuildStatusSuccess(run("secrets", """
                node('remote') {
                  writeFile file: 'Dockerfile', text: 'FROM scratch\\nARG NPM_TOKEN\\nCOPY hello.txt /hello.txt\\n'
                  writeFile file: 'hello.txt', text: 'hello'
                  withEnv(['GIT_URL=https://ci-bot:%s@git.example/org/app.git?private_token=%s']) {
                    def r = buildArchImage image: '%s', credentialsId: 'registry-creds',
                                           secretBuildArgs: ['NPM_TOKEN=npm-token']
                    echo "REFERENCE=${r.reference}"
                  }
                }
                """.formatted(URL_TOKEN, URL_TOKEN, image)));
        j.assertLogNotContains(SECRET, b);
        j.assertLogNotContains(URL_TOKEN, b);
        j.assertLogNotContains(PASSWORD, b);
        // the build's files: log, build.xml (with the script), flow nodes (with each step's arguments), artifacts
        // (the URL token is in the script and in withEnv's arguments: only the secret can be looked for here)
        try (Stream<Path> files = Files.walk(b.getRootDir().toPath())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1);
                assertFalse(text.contains(SECRET), "the secret is not in " + f);
            }
        }
        MultiarchAction.PlatformBuild built = b.getAction(MultiarchAction.class)
                .getImages()
                .get(0)
                .getBuilds()
                .get(0);
        // the archived record: named and written by the controller, from the record it checked
        assertTrue(
                built.getRecordPath()
                        .startsWith(
                                "multiarch/" + registry.get().hostPort().replace(':', '_') + "/demo/secrets/linux-"),
                built.getRecordPath());
        try (InputStream in =
                b.getArtifactManager().root().child(built.getRecordPath()).open()) {
            String record = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(record.contains("\"NPM_TOKEN\""), "the record names the secret build arg:\n" + record);
            assertTrue(record.contains(built.getDigest()), record);
        }
        // the image's config: the source label without the user info and the query
        RegistryClient client = new RegistryClient(RegistrySettings.builder()
                .credentials(CredentialsSource.of(registry.get().hostPort(), RegistryCredentials.of(USER, PASSWORD)))
                .insecureRegistry(registry.get().hostPort())
                .build());
        ImageReference ref = ImageReference.parse(built.getReference());
        ImageManifest manifest = (ImageManifest) client.fetchManifest(ref).parsed();
        String config = new String(
                client.fetchBlob(ref.withoutTagOrDigest(), manifest.config().digest(), 1 << 20),
                StandardCharsets.UTF_8);
        assertTrue(config.contains("\"org.opencontainers.image.source\":\"https://git.example/org/app.git\""), config);
        assertFalse(config.contains(URL_TOKEN), config);
        assertFalse(config.contains(SECRET), config);
    }

    @Test
    void anUnknownSecretCredentialIsNamedAndNothingIsBuilt() throws Exception {
        int before = registry.get().accessLog().size();
        WorkflowRun b = run("unknown-secret", """
                node('remote') {
                  writeFile file: 'Dockerfile', text: 'FROM scratch\\n'
                  buildArchImage image: '%s', secretBuildArgs: ['NPM_TOKEN=no-such-credential']
                }
                """.formatted(image("demo/unknown-secret")));
        j.assertBuildStatus(Result.FAILURE, b);
        j.assertLogContains(Messages.BuildArchImage_SecretNotFound("no-such-credential", "NPM_TOKEN"), b);
        j.assertLogNotContains("multiarch: building", b);
        assertEquals(before, registry.get().accessLog().size(), "the registry was not contacted");
    }

    @Test
    void theUserAgentNamesThePluginsVersionOnAgentsToo() throws Exception {
        j.assertBuildStatusSuccess(run("user-agent", """
                node('remote') {
                  writeFile file: 'Dockerfile', text: 'FROM scratch\\nCOPY Dockerfile /\\n'
                  buildArchImage image: '%s', credentialsId: 'registry-creds'
                }
                """.formatted(image("demo/user-agent"))));
        assertFalse(MultiarchVersion.get().equals(MultiarchVersion.UNKNOWN), "the plugin build recorded a version");
        // the agent's read-back of the push (PushVerifier) carries the plugin's User-Agent; the access log shows it
        assertTrue(
                registry.get().log().contains("\"multiarch-images-jenkins/" + MultiarchVersion.get() + "\""),
                "the registry saw the plugin's version:\n" + registry.get().log());
        assertFalse(registry.get().log().contains("multiarch-images-jenkins/dev"));
    }

    @Test
    void dockerNeverGetsCredentialsForAPlainHttpRegistryThatIsNotNamedInsecure() throws Exception {
        Components.require(Components.Component.DOCKERD);
        try (TestRegistry plain = TestRegistry.basicAuth(USER, PASSWORD)) {
            WorkflowRun b = run("plain-http", """
                    node('remote') {
                      writeFile file: 'Dockerfile', text: 'FROM scratch\\nCOPY Dockerfile /\\n'
                      withEnv(['DOCKER_HOST=%s']) {
                        buildArchImage image: '%s/demo/plain', builder: 'docker', credentialsId: 'registry-creds'
                      }
                    }
                    """.formatted(Components.dockerHost(), plain.hostPort()));
            j.assertBuildStatus(Result.FAILURE, b);
            j.assertLogContains("the credentials for " + plain.hostPort() + " were not given to the Docker Engine", b);
            j.assertLogContains("name it as an insecure registry", b);
            j.assertLogNotContains("record archived as", b);
            j.assertLogNotContains(PASSWORD, b);
            Set<String> push = Set.of("PUT", "POST", "PATCH");
            List<RegistryServer.Request> seen = plain.accessLog();
            assertTrue(seen.stream().noneMatch(r -> push.contains(r.method())), "no request carried the push: " + seen);
            assertFalse(plain.log().contains(PASSWORD));
        }
    }
}
