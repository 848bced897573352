package io.jenkins.plugins.multiarch.jenkins;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.AbortException;
import hudson.EnvVars;
import hudson.Extension;
import hudson.FilePath;
import hudson.Launcher;
import hudson.Util;
import hudson.model.Computer;
import hudson.model.Item;
import hudson.model.Node;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.slaves.WorkspaceList;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.builder.BuildCache;
import io.jenkins.plugins.multiarch.builder.BuilderKind;
import io.jenkins.plugins.multiarch.builder.BuilderOptions;
import io.jenkins.plugins.multiarch.builder.SecretBuildArgs;
import io.jenkins.plugins.multiarch.builder.SourceUrl;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.provenance.ProvenanceMode;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.RecordCheck;
import io.jenkins.plugins.multiarch.record.RecordStore;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import jenkins.model.Jenkins;
import jenkins.util.BuildListenerAdapter;
import net.sf.json.JSONObject;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;
import org.jenkinsci.plugins.workflow.actions.ThreadNameAction;
import org.jenkinsci.plugins.workflow.graph.BlockStartNode;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.steps.GeneralNonBlockingStepExecution;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousResumeNotSupportedException;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.StaplerRequest2;
import org.kohsuke.stapler.verb.POST;

/**
 * {@code buildArchImage image: 'registry/onap/py-app'}: inside {@code node}, builds the workspace's Dockerfile
 * for one platform (the agent's own by default) with core's Docker Engine or buildah builder, pushes it,
 * archives its record as {@code multiarch/<registry>/<repository>/<os>-<arch>[-<variant>].json}, adds it to
 * the build's {@link MultiarchAction} and returns a map (digest, platform, reference, emulated, record).
 */
public final class BuildArchImageStep extends Step {

    private final String image;
    private List<String> tags = new ArrayList<>();
    private String platform;
    private String context;
    private String dockerfile;
    private List<String> buildArgs = new ArrayList<>();
    private List<String> secretBuildArgs = new ArrayList<>();
    private String target;
    private String builder;
    private String naming;
    private String credentialsId;
    private boolean allowEmulation;
    private String cache;
    private String provenance;

    @DataBoundConstructor
    public BuildArchImageStep(String image) {
        this.image = Util.fixEmptyAndTrim(image);
    }

    public String getImage() {
        return image;
    }

    public List<String> getTags() {
        return Collections.unmodifiableList(tags);
    }

    /** Tags of the list; the suffix namings derive the per-platform names from them. */
    @DataBoundSetter
    public void setTags(List<String> tags) {
        this.tags = Lists.copy(tags);
    }

    public @CheckForNull String getPlatform() {
        return platform;
    }

    @DataBoundSetter
    public void setPlatform(String platform) {
        this.platform = Util.fixEmptyAndTrim(platform);
    }

    public @CheckForNull String getContext() {
        return context;
    }

    @DataBoundSetter
    public void setContext(String context) {
        this.context = Util.fixEmptyAndTrim(context);
    }

    public @CheckForNull String getDockerfile() {
        return dockerfile;
    }

    @DataBoundSetter
    public void setDockerfile(String dockerfile) {
        this.dockerfile = Util.fixEmptyAndTrim(dockerfile);
    }

    /** {@code NAME=VALUE} entries, as {@code withEnv} takes them (structs binds no Map parameter). */
    public List<String> getBuildArgs() {
        return Collections.unmodifiableList(buildArgs);
    }

    @DataBoundSetter
    public void setBuildArgs(List<String> buildArgs) {
        this.buildArgs = Lists.copy(buildArgs);
    }

    /**
     * {@code NAME=credentialsId} entries: build args whose values come from secret text credentials. Only the ids
     * are in the step's arguments (and so in the flow node); the values are masked in the log and reach the
     * builder as the engine's secret build args.
     */
    public List<String> getSecretBuildArgs() {
        return Collections.unmodifiableList(secretBuildArgs);
    }

    @DataBoundSetter
    public void setSecretBuildArgs(List<String> secretBuildArgs) {
        this.secretBuildArgs = Lists.copy(secretBuildArgs);
    }

    public @CheckForNull String getTarget() {
        return target;
    }

    @DataBoundSetter
    public void setTarget(String target) {
        this.target = Util.fixEmptyAndTrim(target);
    }

    public @CheckForNull String getBuilder() {
        return builder;
    }

    @DataBoundSetter
    public void setBuilder(String builder) {
        this.builder = Util.fixEmptyAndTrim(builder);
    }

    public @CheckForNull String getNaming() {
        return naming;
    }

    @DataBoundSetter
    public void setNaming(String naming) {
        this.naming = Util.fixEmptyAndTrim(naming);
    }

    public @CheckForNull String getCredentialsId() {
        return credentialsId;
    }

    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = Util.fixEmptyAndTrim(credentialsId);
    }

    public boolean isAllowEmulation() {
        return allowEmulation;
    }

    @DataBoundSetter
    public void setAllowEmulation(boolean allowEmulation) {
        this.allowEmulation = allowEmulation;
    }

    public @CheckForNull String getProvenance() {
        return provenance;
    }

    /** SLSA provenance attached to the image: {@code min} (the default), {@code max} or {@code off}. */
    @DataBoundSetter
    public void setProvenance(String provenance) {
        this.provenance = Util.fixEmptyAndTrim(provenance);
    }

    public @CheckForNull String getCache() {
        return cache;
    }

    /** The per-platform build cache repository ({@code REPO:buildcache-<arch>}); empty: the global default. */
    @DataBoundSetter
    public void setCache(String cache) {
        this.cache = Util.fixEmptyAndTrim(cache);
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        return new Execution(this, context);
    }

    /**
     * Runs off the CPS VM thread. A controller restart during a build ends the step with a message: the
     * agent-side build cannot be re-attached, and a rerun of the stage is safe (see {@link #onResume}).
     */
    static final class Execution extends GeneralNonBlockingStepExecution {

        private static final long serialVersionUID = 1L;

        private final transient BuildArchImageStep step;
        /** What was being built, for the message after a restart (the step itself is not kept). */
        private final String what;

        Execution(BuildArchImageStep step, StepContext context) {
            super(context);
            this.step = step;
            this.what =
                    (step.image == null ? "?" : step.image) + (step.platform == null ? "" : " for " + step.platform);
        }

        @Override
        public boolean start() throws Exception {
            run(this::build);
            return false;
        }

        /**
         * Always ends the step. GeneralNonBlockingStepExecution's default fails it only when the program was saved
         * while the block ran; a restart that came before the block's thread started (the program is saved right
         * after {@code start}) left a step that waited forever. Whether the old build pushed is unknown, so the
         * step fails, with SynchronousResumeNotSupportedException: {@code retry(conditions: [nonresumable()])}
         * recognises it.
         */
        @Override
        public void onResume() {
            StepContext ctx = getContext();
            try {
                TaskListener listener = ctx.get(TaskListener.class);
                if (listener != null) {
                    listener.getLogger().println(Messages.BuildArchImage_NotResumed(what));
                }
            } catch (IOException e) {
                // the failure below still ends the step
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ctx.onFailure(new SynchronousResumeNotSupportedException(ctx));
        }

        private void build() throws Exception {
            try {
                buildChecked();
            } catch (MultiarchException e) {
                // the engine's messages name the input and the fix: the message is the whole story
                throw new AbortException(e.getMessage());
            }
        }

        private void buildChecked() throws Exception {
            StepContext ctx = getContext();
            Run<?, ?> run = ctx.get(Run.class);
            TaskListener listener = ctx.get(TaskListener.class);
            FilePath workspace = ctx.get(FilePath.class);
            Launcher launcher = ctx.get(Launcher.class);
            EnvVars env = ctx.get(EnvVars.class);
            Computer computer = ctx.get(Computer.class);
            MultiarchConfiguration config = MultiarchConfiguration.get();

            if (step.image == null) {
                throw new AbortException(Messages.Validation_ImageRequired());
            }
            ImageReference image = ImageReference.parse(step.image); // fails early, on the controller
            Platform platform = step.platform == null ? null : Platform.parse(step.platform);
            BuildOnAgent.Spec spec = new BuildOnAgent.Spec();
            spec.image = step.image;
            spec.tags = new ArrayList<>(step.tags);
            spec.platform = step.platform;
            spec.context = step.context == null ? "." : step.context;
            spec.dockerfile = step.dockerfile;
            spec.buildArgs = Lists.pairs(step.buildArgs, "buildArgs");
            Map<String, String> secretIds = SecretBuildArgs.parse(step.secretBuildArgs, spec.buildArgs.keySet());
            spec.target = step.target;
            spec.builder = BuilderKind.parse(step.builder != null ? step.builder : config.getDefaultBuilder())
                    .id();
            spec.naming = step.naming != null ? step.naming : config.getDefaultNaming();
            Naming naming = Naming.parse(spec.naming);
            spec.allowEmulation = step.allowEmulation;
            String cache = step.cache != null ? step.cache : config.getDefaultCache();
            spec.cache = cache == null ? null : BuildCache.parse(cache).toString(); // refused here, on the controller
            // the provenance's builder is this build (its URL), its invocation this run; refused here when mistyped
            spec.provenance =
                    ProvenanceMode.parse("provenance", step.provenance).name();
            spec.provenanceBuilderId = provenanceBuilderId(run);
            spec.provenanceInvocationId = run.getExternalizableId();
            Node node = computer == null ? null : computer.getNode();
            spec.nodeLabel = node == null ? null : Util.fixEmptyAndTrim(node.getLabelString());
            // inside a parallel branch Jenkins labels the lines itself: no second [linux/amd64] label
            spec.platformPrefix = !inParallelBranch(ctx.get(FlowNode.class));
            spec.agentName = computer == null ? null : computer.getName();
            if (spec.agentName != null && spec.agentName.isEmpty()) {
                spec.agentName = Jenkins.get().getSelfLabel().getName(); // the built-in node's computer is named ""
            }
            spec.sourceRevision = env.get("GIT_COMMIT");
            // a GIT_URL such as https://user:token@host/repo.git would put the token into the image config
            spec.sourceUrl = SourceUrl.forLabel(env.get("GIT_URL"));
            spec.insecureRegistries = config.insecureRegistryList();
            for (String key : BuilderOptions.ENVIRONMENT) { // what BuilderFactory reads: DOCKER_*, SOURCE_DATE_EPOCH
                String v = env.get(key);
                if (v != null) {
                    spec.engineEnv.put(key, v);
                }
            }

            RegistryLogin login = RegistryLogin.resolve(step.credentialsId, run, image.registry());
            List<String> secrets = new ArrayList<>(RegistryLogin.secretsOf(login));
            // a cache on another registry gets that registry's own (admin default) credentials, never the image's
            RegistryLogin cacheLogin = null;
            if (spec.cache != null) {
                String cacheRegistry = BuildCache.parse(spec.cache).repository().registry();
                if (!cacheRegistry.equals(image.registry())) {
                    cacheLogin = RegistryLogin.resolve(null, run, cacheRegistry);
                    secrets.addAll(RegistryLogin.secretsOf(cacheLogin));
                }
            }
            for (Map.Entry<String, String> secret : secretIds.entrySet()) {
                String value = secretValue(run, secret.getKey(), secret.getValue());
                spec.secretBuildArgs.put(secret.getKey(), value);
                secrets.add(value);
            }
            ConsoleLog log = new ConsoleLog(listener, secrets, false);

            FilePath tmp = WorkspaceList.tempDir(workspace);
            if (tmp == null) {
                throw new AbortException(Messages.BuildArchImage_NoTempDir(workspace.getRemote()));
            }
            FilePath recordsDir = tmp.child("multiarch-records-" + UUID.randomUUID());
            recordsDir.mkdirs();
            try {
                String json = workspace.act(new BuildOnAgent(spec, login, cacheLogin, log, recordsDir.getRemote()));
                // an agent may be compromised: what it sent back decides which tags are later deleted and which
                // children are published, so it must be exactly what was asked for
                ArchImageRecord record = RecordCheck.fromAgent(
                        json.getBytes(StandardCharsets.UTF_8),
                        new RecordCheck.Expected(image, step.tags, naming, platform),
                        "agent " + spec.agentName);
                // the name and the bytes of the archived file are the controller's, from the checked record
                String relative = RecordStore.folderName(record.image()) + "/" + record.fileName();
                recordsDir.child(relative).write(new String(record.toJson(), StandardCharsets.UTF_8), "UTF-8");
                String artifact = "multiarch/" + relative;
                run.pickArtifactManager()
                        .archive(recordsDir, launcher, BuildListenerAdapter.wrap(listener), Map.of(artifact, relative));
                MultiarchAction.recordBuild(run, record, artifact, spec.agentName);
                listener.getLogger()
                        .println(Messages.BuildArchImage_Done(
                                record.platform().toString(), record.reference().toString(), artifact));
                ctx.onSuccess(toMap(record, artifact));
            } finally {
                recordsDir.deleteRecursive();
            }
        }
    }

    /**
     * Whether the step runs inside a {@code parallel} branch (multiArchBuild's, or the Jenkinsfile's own): its
     * start node carries a {@link ThreadNameAction} (workflow-cps ParallelStepExecution's branch label). Stages
     * carry a LabelAction only, so a step in a stage keeps the prefix.
     */
    static boolean inParallelBranch(@CheckForNull FlowNode node) {
        if (node == null) {
            return false;
        }
        for (BlockStartNode block : node.getEnclosingBlocks()) {
            if (block.getAction(ThreadNameAction.class) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The provenance's {@code builder.id}: this build's URL (the Jenkins URL configured under Manage Jenkins >
     * System, plus the run's path). Without a configured URL, a URN naming the build, so that the statement still
     * says which build made the image.
     */
    static String provenanceBuilderId(Run<?, ?> run) {
        String root = Jenkins.get().getRootUrl();
        if (root != null) {
            return root + run.getUrl();
        }
        return "urn:jenkins-build:" + URLEncoder.encode(run.getExternalizableId(), StandardCharsets.UTF_8);
    }

    /** The value of a secret build arg's credential (secret text), tracked against the run. */
    static String secretValue(Run<?, ?> run, String name, String credentialsId) throws AbortException {
        StringCredentials c = CredentialsProvider.findCredentialById(credentialsId, StringCredentials.class, run);
        if (c == null) {
            throw new AbortException(Messages.BuildArchImage_SecretNotFound(credentialsId, name));
        }
        CredentialsProvider.track(run, c);
        return c.getSecret().getPlainText();
    }

    /** What the script gets back: plain strings and booleans, serializable by the CPS VM. */
    static Map<String, Object> toMap(ArchImageRecord record, String artifact) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image", record.image().toString());
        m.put("platform", record.platform().toString());
        m.put("digest", record.digest().toString());
        m.put("reference", record.reference().toString());
        m.put("mediaType", record.mediaType().value());
        m.put("size", record.size());
        m.put("emulated", record.emulated());
        m.put("record", artifact);
        return m;
    }

    /** The step's symbol is its function name (workflow-basic-steps model); structs' @Symbol is for describables. */
    @Extension
    public static final class DescriptorImpl extends StepDescriptor {

        @Override
        public String getFunctionName() {
            return "buildArchImage";
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return Messages.BuildArchImage_DisplayName();
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class, FilePath.class, Launcher.class, EnvVars.class);
        }

        /** Built by hand, as EnvStep does: the text areas of config.jelly hold one list entry per line. */
        @Override
        public Step newInstance(StaplerRequest2 req, @NonNull JSONObject formData) throws FormException {
            BuildArchImageStep s = new BuildArchImageStep(formData.optString("image"));
            s.setTags(Lists.lines(formData.optString("tags")));
            s.setPlatform(formData.optString("platform"));
            s.setContext(formData.optString("context"));
            s.setDockerfile(formData.optString("dockerfile"));
            s.setBuildArgs(Lists.lines(formData.optString("buildArgs")));
            s.setSecretBuildArgs(Lists.lines(formData.optString("secretBuildArgs")));
            s.setTarget(formData.optString("target"));
            s.setBuilder(formData.optString("builder"));
            s.setNaming(formData.optString("naming"));
            s.setCredentialsId(formData.optString("credentialsId"));
            s.setAllowEmulation(formData.optBoolean("allowEmulation"));
            s.setCache(formData.optString("cache"));
            s.setProvenance(formData.optString("provenance"));
            return s;
        }

        public String joinLines(List<String> values) {
            return Lists.join(values);
        }

        /** A fixed list of choices: reads nothing that needs a permission. */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public ListBoxModel doFillBuilderItems() {
            return MultiarchConfiguration.builderItems(true);
        }

        /** A fixed list of choices: reads nothing that needs a permission. */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public ListBoxModel doFillNamingItems() {
            return MultiarchConfiguration.namingItems(true);
        }

        /** Syntax only (the engine's reference grammar): reads no node, credential or network. */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckImage(@QueryParameter String value) {
            return Validation.image(value);
        }

        /** Syntax only: the tag rule the step and the CLI apply; empty is allowed (digest naming needs none). */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckTags(@QueryParameter String value) {
            return Lists.lines(value).isEmpty() ? FormValidation.ok() : Validation.tags(value);
        }

        /** Syntax only. */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckPlatform(@QueryParameter String value) {
            return Validation.platform(value, false);
        }

        /** The engine's rule, shared with the CLI's --provenance: min, max or off; empty means min. */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckProvenance(@QueryParameter String value) {
            return Validation.of(() -> ProvenanceMode.parse("provenance", value));
        }

        /** Syntax only (the engine's cache rule, shared with the CLI's --cache): empty means the global default. */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckCache(@QueryParameter String value) {
            return Validation.of(() -> BuildCache.parseOptional(value));
        }

        /** Credentials the job may use, in the credential domains of the image's registry. */
        @POST
        public ListBoxModel doFillCredentialsIdItems(
                @AncestorInPath Item item, @QueryParameter String image, @QueryParameter String credentialsId) {
            return RegistryCredentialForms.itemListBox(item, image, credentialsId);
        }

        @POST
        public FormValidation doCheckCredentialsId(
                @AncestorInPath Item item, @QueryParameter String image, @QueryParameter String value) {
            return RegistryCredentialForms.itemCheck(item, image, value);
        }
    }
}
