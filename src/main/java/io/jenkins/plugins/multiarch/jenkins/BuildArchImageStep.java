package io.jenkins.plugins.multiarch.jenkins;

import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
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
import hudson.model.Queue;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.model.queue.Tasks;
import hudson.security.ACL;
import hudson.slaves.WorkspaceList;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.RecordStore;
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
import org.jenkinsci.plugins.workflow.steps.GeneralNonBlockingStepExecution;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
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
    private String target;
    private String builder;
    private String naming;
    private String credentialsId;
    private boolean allowEmulation;

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

    @Override
    public StepExecution start(StepContext context) throws Exception {
        return new Execution(this, context);
    }

    /**
     * Runs off the CPS VM thread. A controller restart during a build fails the step (the agent-side build
     * cannot be re-attached), which is GeneralNonBlockingStepExecution's default; a rerun of the stage is safe.
     */
    static final class Execution extends GeneralNonBlockingStepExecution {

        private static final long serialVersionUID = 1L;

        private final transient BuildArchImageStep step;

        Execution(BuildArchImageStep step, StepContext context) {
            super(context);
            this.step = step;
        }

        @Override
        public boolean start() throws Exception {
            run(this::build);
            return false;
        }

        private void build() throws Exception {
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
            BuildOnAgent.Spec spec = new BuildOnAgent.Spec();
            spec.image = step.image;
            spec.tags = new ArrayList<>(step.tags);
            spec.platform = step.platform;
            spec.context = step.context == null ? "." : step.context;
            spec.dockerfile = step.dockerfile;
            spec.buildArgs = Lists.pairs(step.buildArgs, "buildArgs");
            spec.target = step.target;
            spec.builder = step.builder != null ? step.builder : config.getDefaultBuilder();
            spec.naming = step.naming != null ? step.naming : config.getDefaultNaming();
            spec.allowEmulation = step.allowEmulation;
            spec.agentName = computer == null ? null : computer.getName();
            if (spec.agentName != null && spec.agentName.isEmpty()) {
                spec.agentName = Jenkins.get().getSelfLabel().getName(); // the built-in node's computer is named ""
            }
            spec.sourceRevision = env.get("GIT_COMMIT");
            spec.sourceUrl = env.get("GIT_URL");
            spec.insecureRegistries = config.insecureRegistryList();
            for (String key : List.of("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")) {
                String v = env.get(key);
                if (v != null) {
                    spec.engineEnv.put(key, v);
                }
            }

            RegistryLogin login = RegistryLogin.resolve(step.credentialsId, run, image.registry());
            List<String> secrets = new ArrayList<>(RegistryLogin.secretsOf(login));
            ConsoleLog log = new ConsoleLog(listener, secrets, false);

            FilePath tmp = WorkspaceList.tempDir(workspace);
            if (tmp == null) {
                throw new AbortException(Messages.BuildArchImage_NoTempDir(workspace.getRemote()));
            }
            FilePath recordsDir = tmp.child("multiarch-records-" + UUID.randomUUID());
            recordsDir.mkdirs();
            try {
                String json = workspace.act(new BuildOnAgent(spec, login, log, recordsDir.getRemote()));
                ArchImageRecord record =
                        ArchImageRecord.fromJson(json.getBytes(StandardCharsets.UTF_8), "agent " + spec.agentName);
                String relative = RecordStore.folderName(record.image()) + "/" + record.fileName();
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
            s.setTarget(formData.optString("target"));
            s.setBuilder(formData.optString("builder"));
            s.setNaming(formData.optString("naming"));
            s.setCredentialsId(formData.optString("credentialsId"));
            s.setAllowEmulation(formData.optBoolean("allowEmulation"));
            return s;
        }

        public String joinLines(List<String> values) {
            return Lists.join(values);
        }

        public ListBoxModel doFillBuilderItems() {
            return MultiarchConfiguration.builderItems(true);
        }

        public ListBoxModel doFillNamingItems() {
            return MultiarchConfiguration.namingItems(true);
        }

        @POST
        public FormValidation doCheckImage(@QueryParameter String value) {
            return Validation.image(value);
        }

        @POST
        public FormValidation doCheckPlatform(@QueryParameter String value) {
            return Validation.platform(value, false);
        }

        /** Credentials the job may use, per credentials-plugin docs/consumer.adoc. */
        @POST
        public ListBoxModel doFillCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String credentialsId) {
            return CredentialsForms.listBox(item, credentialsId);
        }

        @POST
        public FormValidation doCheckCredentialsId(@AncestorInPath Item item, @QueryParameter String value) {
            return CredentialsForms.check(item, value);
        }
    }

    /** The credentials list box and check shared by both steps (credentials-plugin docs/consumer.adoc). */
    static final class CredentialsForms {

        private CredentialsForms() {}

        static ListBoxModel listBox(@CheckForNull Item item, String credentialsId) {
            StandardListBoxModel result = new StandardListBoxModel();
            if (item == null) {
                if (!Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
                    return result.includeCurrentValue(credentialsId);
                }
            } else if (!item.hasPermission(Item.EXTENDED_READ) && !item.hasPermission(CredentialsProvider.USE_ITEM)) {
                return result.includeCurrentValue(credentialsId);
            }
            return result.includeEmptyValue()
                    .includeMatchingAs(
                            item instanceof Queue.Task task ? Tasks.getAuthenticationOf2(task) : ACL.SYSTEM2,
                            item,
                            StandardUsernamePasswordCredentials.class,
                            Collections.emptyList(),
                            CredentialsMatchers.always())
                    .includeCurrentValue(credentialsId);
        }

        static FormValidation check(@CheckForNull Item item, String value) {
            if (item == null) {
                if (!Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
                    return FormValidation.ok();
                }
            } else if (!item.hasPermission(Item.EXTENDED_READ) && !item.hasPermission(CredentialsProvider.USE_ITEM)) {
                return FormValidation.ok();
            }
            if (Util.fixEmptyAndTrim(value) == null) {
                return FormValidation.ok(Messages.Validation_CredentialsDefault());
            }
            if (CredentialsProvider.listCredentialsInItem(
                            StandardUsernamePasswordCredentials.class,
                            item,
                            item instanceof Queue.Task task ? Tasks.getAuthenticationOf2(task) : ACL.SYSTEM2,
                            Collections.emptyList(),
                            CredentialsMatchers.withId(value))
                    .isEmpty()) {
                return FormValidation.error(Messages.Validation_CredentialsNotFound());
            }
            return FormValidation.ok();
        }
    }
}
