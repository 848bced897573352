package io.jenkins.plugins.multiarch.jenkins;

import hudson.remoting.VirtualChannel;
import io.jenkins.plugins.multiarch.build.BuildRequest;
import io.jenkins.plugins.multiarch.build.BuildahBuilder;
import io.jenkins.plugins.multiarch.build.DockerEngineBuilder;
import io.jenkins.plugins.multiarch.build.HostArchitecture;
import io.jenkins.plugins.multiarch.build.ImageBuilder;
import io.jenkins.plugins.multiarch.build.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.RecordStore;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jenkins.MasterToSlaveFileCallable;

/**
 * Runs one platform's build on the agent that holds the workspace: core's builder does the work; this
 * only carries the step's values there and the record's JSON back. A named static class (never an
 * anonymous one) so that what crosses the channel is explicit.
 *
 * <p>{@code invoke} receives the workspace; the record is also written under {@code recordsDir} (a
 * per-build temporary folder next to the workspace) for the controller to archive.
 */
final class BuildOnAgent extends MasterToSlaveFileCallable<String> {

    private static final long serialVersionUID = 1L;

    /** Values of the step, resolved on the controller (defaults applied, nothing secret but the login). */
    static final class Spec implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        String image;
        List<String> tags = new ArrayList<>();
        String platform;
        String context = ".";
        String dockerfile;
        Map<String, String> buildArgs = new LinkedHashMap<>();
        String target;
        String builder;
        String naming;
        boolean allowEmulation;
        String agentName;
        String sourceRevision;
        String sourceUrl;
        List<String> insecureRegistries = new ArrayList<>();
        /** The step's environment entries the engine needs (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH). */
        Map<String, String> engineEnv = new LinkedHashMap<>();
    }

    private final Spec spec;
    private final RegistryLogin login;
    private final ConsoleLog log;
    private final String recordsDir;

    BuildOnAgent(Spec spec, RegistryLogin login, ConsoleLog log, String recordsDir) {
        this.spec = spec;
        this.login = login;
        this.log = log;
        this.recordsDir = recordsDir;
    }

    @Override
    public String invoke(File workspace, VirtualChannel channel) throws IOException, InterruptedException {
        Path ws = workspace.toPath();
        Path context = ws.resolve(spec.context == null ? "." : spec.context);
        CredentialsSource credentials = RegistryLogin.sourceOf(login);
        RegistrySettings.Builder settings = RegistrySettings.builder()
                .credentials(credentials)
                .listener(log)
                .userAgent(Versions.userAgent());
        spec.insecureRegistries.forEach(settings::insecureRegistry);
        RegistryClient client = new RegistryClient(settings.build());

        ImageBuilder builder = newBuilder(client, credentials);
        try {
            Platform platform = spec.platform == null ? builder.hostPlatform() : Platform.parse(spec.platform);
            BuildRequest request = BuildRequest.builder()
                    .context(context)
                    .dockerfile(spec.dockerfile == null ? null : ws.resolve(spec.dockerfile))
                    .workspace(ws)
                    .platform(platform)
                    .image(spec.image)
                    .tags(spec.tags)
                    .naming(Naming.parse(spec.naming))
                    .buildArgs(spec.buildArgs)
                    .target(spec.target)
                    .allowEmulation(spec.allowEmulation)
                    .agentName(spec.agentName)
                    .sourceRevision(spec.sourceRevision)
                    .sourceUrl(spec.sourceUrl)
                    .build();
            // Plain text here: this runs on the agent, where the plugin's localized Messages are not needed.
            Platform host = builder.hostPlatform();
            log.info("multiarch: building " + request.image() + " for " + platform + " with " + builder.name() + " "
                    + builder.version() + " on a " + host + " host"
                    + (HostArchitecture.isEmulated(platform, host) ? " (emulated)" : " (native)"));
            ArchImageRecord record = builder.build(request, log);
            RecordStore.write(Path.of(recordsDir), record);
            return new String(record.toJson(), StandardCharsets.UTF_8);
        } finally {
            if (builder instanceof java.io.Closeable closeable) {
                closeable.close();
            }
        }
    }

    private ImageBuilder newBuilder(RegistryClient client, CredentialsSource credentials) {
        if (MultiarchConfiguration.BUILDAH.equals(spec.builder)) {
            // the auth file goes to the build's private temp folder next to the workspace (WorkspaceList.tempDir)
            return BuildahBuilder.builder()
                    .registryClient(client)
                    .credentials(credentials)
                    .insecureRegistries(spec.insecureRegistries)
                    .workDir(Path.of(recordsDir).getParent())
                    .build();
        }
        DockerEngineBuilder.Builder docker =
                DockerEngineBuilder.builder().registryClient(client).credentials(credentials);
        String host = spec.engineEnv.get("DOCKER_HOST");
        if (host != null) {
            docker.dockerHost(host);
        }
        String verify = spec.engineEnv.get("DOCKER_TLS_VERIFY");
        if (verify != null) {
            docker.tlsVerify(!verify.isEmpty() && !"0".equals(verify) && !"false".equalsIgnoreCase(verify));
        }
        String certs = spec.engineEnv.get("DOCKER_CERT_PATH");
        if (certs != null) {
            docker.tlsCertPath(Path.of(certs));
        }
        return docker.build();
    }
}
