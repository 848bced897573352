package io.jenkins.plugins.multiarch.jenkins;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.AbortException;
import hudson.Extension;
import hudson.ProxyConfiguration;
import hudson.Util;
import hudson.model.Item;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.multiarch.flow.PublishFromRecords;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.ListFormat;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import io.jenkins.plugins.multiarch.publish.SourceSpec;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.report.Reports;
import io.jenkins.plugins.multiarch.report.Wording;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.sf.json.JSONObject;
import org.jenkinsci.plugins.workflow.actions.WarningAction;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
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
 * {@code pushManifestList image: 'registry/onap/py-app', tags: ['1.0']}: on the controller (no {@code node}),
 * publishes one verified list from this build's records of the image (or from explicit {@code sources})
 * with the engine's {@link PublishFromRecords}, through Jenkins' proxy-aware HTTP client. Returns the list digest and
 * exports it as {@code MULTIARCH_LIST_DIGEST} / {@code MULTIARCH_LIST_REFERENCE}.
 */
public final class PushManifestListStep extends Step implements Serializable {

    /** Kept by the execution across a controller restart. */
    private static final long serialVersionUID = 1L;

    private final String image;
    private final List<String> tags;
    private List<String> platforms = new ArrayList<>();
    private List<String> optionalPlatforms = new ArrayList<>();
    private List<String> sources = new ArrayList<>();
    private String format;
    private List<String> annotations = new ArrayList<>();
    private String credentialsId;
    private boolean dryRun;

    @DataBoundConstructor
    public PushManifestListStep(String image, List<String> tags) {
        this.image = Util.fixEmptyAndTrim(image);
        this.tags = Lists.copy(tags);
    }

    public String getImage() {
        return image;
    }

    public List<String> getTags() {
        return Collections.unmodifiableList(tags);
    }

    /** Required platforms; default: every platform recorded for this image in this build (minus the optional ones). */
    public List<String> getPlatforms() {
        return Collections.unmodifiableList(platforms);
    }

    @DataBoundSetter
    public void setPlatforms(List<String> platforms) {
        this.platforms = Lists.copy(platforms);
    }

    public List<String> getOptionalPlatforms() {
        return Collections.unmodifiableList(optionalPlatforms);
    }

    @DataBoundSetter
    public void setOptionalPlatforms(List<String> optionalPlatforms) {
        this.optionalPlatforms = Lists.copy(optionalPlatforms);
    }

    /** {@code REF[=PLATFORM]} entries instead of this build's records. */
    public List<String> getSources() {
        return Collections.unmodifiableList(sources);
    }

    @DataBoundSetter
    public void setSources(List<String> sources) {
        this.sources = Lists.copy(sources);
    }

    public @CheckForNull String getFormat() {
        return format;
    }

    @DataBoundSetter
    public void setFormat(String format) {
        this.format = Util.fixEmptyAndTrim(format);
    }

    /** {@code key=value} entries (OCI index annotations). */
    public List<String> getAnnotations() {
        return Collections.unmodifiableList(annotations);
    }

    @DataBoundSetter
    public void setAnnotations(List<String> annotations) {
        this.annotations = Lists.copy(annotations);
    }

    public @CheckForNull String getCredentialsId() {
        return credentialsId;
    }

    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = Util.fixEmptyAndTrim(credentialsId);
    }

    public boolean isDryRun() {
        return dryRun;
    }

    @DataBoundSetter
    public void setDryRun(boolean dryRun) {
        this.dryRun = dryRun;
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        return new Execution(this, context);
    }

    /**
     * Publishes off the CPS VM thread. Unlike the base class, a controller restart in the middle re-runs the
     * publish on resume instead of failing: core's publish is idempotent (a tag that already points at the
     * same list is not written again; children are put by digest), so running it twice is safe. The step's
     * values are therefore kept (not transient) so that they survive the restart.
     */
    static final class Execution extends GeneralNonBlockingStepExecution {

        private static final long serialVersionUID = 1L;

        private final PushManifestListStep step;

        Execution(PushManifestListStep step, StepContext context) {
            super(context);
            this.step = step;
        }

        @Override
        public boolean start() throws Exception {
            run(this::publish);
            return false;
        }

        @Override
        public void onResume() {
            run(this::publishAgain);
        }

        private void publishAgain() throws Exception {
            getContext().get(TaskListener.class).getLogger().println(Messages.PushManifestList_Resumed(step.image));
            publish();
        }

        private void publish() throws Exception {
            StepContext ctx = getContext();
            Run<?, ?> run = ctx.get(Run.class);
            TaskListener listener = ctx.get(TaskListener.class);
            MultiarchConfiguration config = MultiarchConfiguration.get();

            if (step.image == null) {
                throw new AbortException(Messages.Validation_ImageRequired());
            }
            ImageReference target = ImageReference.parse(step.image);
            Set<Platform> optional = parsePlatforms(step.optionalPlatforms);
            List<SourceSpec> sources = new ArrayList<>();
            List<ArchImageRecord> records = List.of();
            if (!step.sources.isEmpty()) {
                for (String s : step.sources) {
                    sources.add(SourceSpec.parse(s));
                }
            } else {
                MultiarchAction action = run.getAction(MultiarchAction.class);
                records = action == null ? List.of() : action.recordsOf(target);
                if (records.isEmpty()) {
                    throw new AbortException(Messages.PushManifestList_NoRecords(
                            target.withoutTagOrDigest().toString()));
                }
            }

            RegistryLogin login = RegistryLogin.resolve(step.credentialsId, run, target.registry());
            ConsoleLog log = new ConsoleLog(listener, RegistryLogin.secretsOf(login), false);
            RegistrySettings.Builder settings = RegistrySettings.builder()
                    .credentials(RegistryLogin.sourceOf(login))
                    // Jenkins' proxy settings (Manage Jenkins > System > HTTP Proxy) apply to registry traffic.
                    .httpClientBuilder(ProxyConfiguration::newHttpClientBuilder)
                    .listener(log)
                    .userAgent(Versions.userAgent());
            config.insecureRegistryList().forEach(settings::insecureRegistry);
            // the admin's allowlist: checked by the client before any request leaves the controller
            config.allowedRegistryList().forEach(settings::allowedRegistry);
            RegistryClient client = new RegistryClient(settings.build());

            // the engine's one records-to-publish path: required platforms (every recorded one unless given),
            // the publish, then digest naming's temporary tags removed where the registry allows
            PublishFromRecords.Request request = PublishFromRecords.request()
                    .target(target)
                    .tags(step.tags)
                    .records(records)
                    .sources(sources)
                    .format(step.format == null ? ListFormat.AUTO : ListFormat.parse(step.format))
                    .annotations(Lists.pairs(step.annotations, "annotations"))
                    .requirePlatforms(parsePlatforms(step.platforms))
                    .optionalPlatforms(optional)
                    .dryRun(step.dryRun)
                    .build();
            listener.getLogger()
                    .println(Messages.PushManifestList_Publishing(target.toString(), sources.size() + records.size()));
            PublishResult result = new PublishFromRecords(client, log).publish(request);
            listener.getLogger().println(log.mask(Reports.publishTable(result)));
            MultiarchAction.recordPublish(run, result);

            if (!result.missingOptionalPlatforms().isEmpty()) {
                String message =
                        Messages.PushManifestList_OptionalMissing(Wording.list(result.missingOptionalPlatforms()));
                ctx.get(FlowNode.class).addOrReplaceAction(new WarningAction(Result.UNSTABLE).withMessage(message));
                run.setResult(Result.UNSTABLE);
                listener.getLogger().println("WARNING: " + message);
            }
            ctx.onSuccess(toMap(result));
        }

        /** The engine's rule, as the form check runs it: each platform parses, none is given twice. */
        private static Set<Platform> parsePlatforms(List<String> values) {
            return new LinkedHashSet<>(Platform.parseDistinct(values));
        }
    }

    static Map<String, Object> toMap(PublishResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("digest", r.listDigest().toString());
        m.put("reference", r.listReference().toString());
        m.put("mediaType", r.mediaType().value());
        List<String> tags = new ArrayList<>();
        r.tags().forEach(t -> tags.add(t.tag()));
        m.put("tags", tags);
        List<String> platforms = new ArrayList<>();
        r.images().forEach(c -> platforms.add(c.platform().toString()));
        m.put("platforms", platforms);
        List<String> missing = new ArrayList<>();
        r.missingOptionalPlatforms().forEach(p -> missing.add(p.toString()));
        m.put("missingOptionalPlatforms", missing);
        m.put("dryRun", r.dryRun());
        return m;
    }

    @Extension
    public static final class DescriptorImpl extends StepDescriptor {

        @Override
        public String getFunctionName() {
            return "pushManifestList";
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return Messages.PushManifestList_DisplayName();
        }

        /** No FilePath, Launcher or node: the publish runs on the controller. */
        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class, FlowNode.class);
        }

        @Override
        public Step newInstance(StaplerRequest2 req, @NonNull JSONObject formData) throws FormException {
            PushManifestListStep s =
                    new PushManifestListStep(formData.optString("image"), Lists.lines(formData.optString("tags")));
            s.setPlatforms(Lists.lines(formData.optString("platforms")));
            s.setOptionalPlatforms(Lists.lines(formData.optString("optionalPlatforms")));
            s.setSources(Lists.lines(formData.optString("sources")));
            s.setFormat(formData.optString("format"));
            s.setAnnotations(Lists.lines(formData.optString("annotations")));
            s.setCredentialsId(formData.optString("credentialsId"));
            s.setDryRun(formData.optBoolean("dryRun"));
            return s;
        }

        public String joinLines(List<String> values) {
            return Lists.join(values);
        }

        /** A fixed list of choices: reads nothing that needs a permission. */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public ListBoxModel doFillFormatItems() {
            ListBoxModel m = new ListBoxModel();
            m.add(Messages.Options_FormatAuto(), "");
            m.add(Messages.Options_FormatOci(), "oci");
            m.add(Messages.Options_FormatDocker(), "docker");
            return m;
        }

        /** Syntax only (the engine's reference grammar): reads no node, credential or network. */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckImage(@QueryParameter String value) {
            return Validation.image(value);
        }

        /** Syntax only: the tag rule the step and the CLI apply (valid, at least one, none twice). */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckTags(@QueryParameter String value) {
            return Lists.lines(value).isEmpty()
                    ? FormValidation.error(Messages.Validation_TagsRequired())
                    : Validation.tags(value);
        }

        /** Syntax only: each platform parses, none twice. */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckPlatforms(@QueryParameter String value) {
            return Validation.platforms(value);
        }

        /** Syntax only: each platform parses, none twice. */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckOptionalPlatforms(@QueryParameter String value) {
            return Validation.platforms(value);
        }

        /** Credentials this job may use, in the credential domains of the image's registry. */
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
