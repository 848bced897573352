package io.jenkins.plugins.multiarch.jenkins;

import hudson.remoting.VirtualChannel;
import io.jenkins.plugins.multiarch.PortableErrors;
import io.jenkins.plugins.multiarch.builder.BuildCache;
import io.jenkins.plugins.multiarch.builder.BuildRequest;
import io.jenkins.plugins.multiarch.builder.BuilderFactory;
import io.jenkins.plugins.multiarch.builder.BuilderOptions;
import io.jenkins.plugins.multiarch.builder.HostArchitecture;
import io.jenkins.plugins.multiarch.builder.ImageBuilder;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.provenance.ProvenanceMode;
import io.jenkins.plugins.multiarch.provenance.ProvenanceOptions;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
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
 * <p>{@code invoke} receives the workspace; {@code recordsDir} is a per-build temporary folder next to it (the
 * buildah builder's auth file goes beside it). The record goes back as JSON only: the controller checks it and
 * writes the file it archives itself, so what an agent leaves on its disk is never what gets archived.
 *
 * <p>Whatever way {@code invoke} ends, the console is flushed first (the agent's lines arrive before the step
 * ends, in order), and a failure crosses back as its message only ({@link PortableErrors}): a third-party cause
 * would be rejected by the controller's class filter.
 */
final class BuildOnAgent extends MasterToSlaveFileCallable<String> {

    private static final long serialVersionUID = 1L;

    /** Values of the step, resolved on the controller (defaults applied); secret: the secret build args' values. */
    static final class Spec implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        String image;
        List<String> tags = new ArrayList<>();
        String platform;
        String context = ".";
        String dockerfile;
        Map<String, String> buildArgs = new LinkedHashMap<>();
        /** NAME -> value of the secretBuildArgs, resolved on the controller; masked by the log, never recorded. */
        Map<String, String> secretBuildArgs = new LinkedHashMap<>();

        String target;
        String builder;
        String naming;
        boolean allowEmulation;
        String agentName;
        String sourceRevision;
        /** GIT_URL without user info or query (SourceUrl.forLabel), done on the controller. */
        String sourceUrl;

        /** The per-platform build cache repository (BuildCache), checked on the controller; null: none. */
        String cache;
        /** ProvenanceMode's name (MIN, MAX, OFF), parsed on the controller. */
        String provenance = "MIN";
        /** The provenance's builder id (this build's URL) and invocation id (the run's externalizable id). */
        String provenanceBuilderId;

        String provenanceInvocationId;
        /** The agent's labels, for the provenance. */
        String nodeLabel;

        /** Whether build lines carry the [platform] prefix: not inside a parallel branch, which labels them. */
        boolean platformPrefix = true;

        List<String> insecureRegistries = new ArrayList<>();
        /** The step's environment entries the builder reads (BuilderOptions.ENVIRONMENT: DOCKER_*, SOURCE_DATE_EPOCH). */
        Map<String, String> engineEnv = new LinkedHashMap<>();
    }

    private final Spec spec;
    private final RegistryLogin login;
    /** The build cache's registry's login when that is another registry than the image's; null otherwise. */
    private final RegistryLogin cacheLogin;

    private final ConsoleLog log;
    private final String recordsDir;

    BuildOnAgent(Spec spec, RegistryLogin login, RegistryLogin cacheLogin, ConsoleLog log, String recordsDir) {
        this.spec = spec;
        this.login = login;
        this.cacheLogin = cacheLogin;
        this.log = log;
        this.recordsDir = recordsDir;
    }

    @Override
    public String invoke(File workspace, VirtualChannel channel) throws IOException, InterruptedException {
        try {
            return build(workspace.toPath());
        } catch (Throwable failure) {
            throw PortableErrors.forChannel(failure, log::mask);
        } finally {
            log.flush();
        }
    }

    private String build(Path ws) throws IOException {
        Path context = ws.resolve(spec.context == null ? "." : spec.context);
        CredentialsSource credentials =
                CredentialsSource.chain(RegistryLogin.sourceOf(login), RegistryLogin.sourceOf(cacheLogin));
        RegistrySettings.Builder settings = RegistrySettings.builder()
                .credentials(credentials)
                .listener(log)
                .userAgent(Versions.userAgent());
        spec.insecureRegistries.forEach(settings::insecureRegistry);
        RegistryClient client = new RegistryClient(settings.build());

        // the controller already refused an unknown name; the auth file goes to the build's private temp folder
        // next to the workspace (WorkspaceList.tempDir)
        ImageBuilder builder = BuilderFactory.create(
                BuilderOptions.builder(spec.builder)
                        .environment(spec.engineEnv)
                        .workDir(Path.of(recordsDir).getParent())
                        .build(),
                client);
        try {
            Platform platform = spec.platform == null ? builder.hostPlatform() : Platform.parse(spec.platform);
            BuildRequest.Builder request = BuildRequest.builder()
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
                    .sourceDateEpoch(spec.engineEnv.get("SOURCE_DATE_EPOCH"))
                    .cache(BuildCache.parseOptional(spec.cache))
                    .platformPrefix(spec.platformPrefix)
                    .provenance(new ProvenanceOptions(
                            ProvenanceMode.valueOf(spec.provenance),
                            spec.provenanceBuilderId,
                            spec.provenanceInvocationId,
                            spec.nodeLabel));
            // the engine's secret build args: masked, recorded by name, passed without a command line
            spec.secretBuildArgs.forEach(request::secretBuildArg);
            BuildRequest built = request.build();
            // Plain text here: this runs on the agent, where the plugin's localized Messages are not needed.
            Platform host = builder.hostPlatform();
            log.info("multiarch: building " + built.image() + " for " + platform + " with " + builder.name() + " "
                    + builder.version() + " on a " + host + " host"
                    + (HostArchitecture.isEmulated(platform, host) ? " (emulated)" : " (native)"));
            ArchImageRecord record = builder.build(built, log);
            return new String(record.toJson(), StandardCharsets.UTF_8);
        } finally {
            if (builder instanceof java.io.Closeable closeable) {
                closeable.close();
            }
        }
    }
}
