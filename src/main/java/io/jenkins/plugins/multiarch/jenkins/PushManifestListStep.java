package io.jenkins.plugins.multiarch.jenkins;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.AbortException;
import hudson.Extension;
import hudson.Util;
import hudson.model.Item;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.copy.Copier;
import io.jenkins.plugins.multiarch.copy.CopyReport;
import io.jenkins.plugins.multiarch.copy.CopyRequest;
import io.jenkins.plugins.multiarch.copy.CopyResult;
import io.jenkins.plugins.multiarch.copy.CopyTarget;
import io.jenkins.plugins.multiarch.flow.PublishFromRecords;
import io.jenkins.plugins.multiarch.flow.RecordsPublished;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.ListFormat;
import io.jenkins.plugins.multiarch.publish.PublishRequest;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import io.jenkins.plugins.multiarch.publish.PublishResult.Amendment.Change;
import io.jenkins.plugins.multiarch.publish.SourceSpec;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
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
import java.util.Locale;
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
    private String from;
    private boolean replace;
    private List<String> remove = new ArrayList<>();
    private List<String> mirrors = new ArrayList<>();

    /** A step saved by an earlier version (a pipeline resumed after an upgrade) has no lists for the newer fields. */
    private Object readResolve() {
        if (remove == null) {
            remove = new ArrayList<>();
        }
        if (mirrors == null) {
            mirrors = new ArrayList<>();
        }
        return this;
    }

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

    /** The published list to amend ({@code REF:TAG} or {@code REF@sha256:...}); null: publish a new list. */
    public @CheckForNull String getFrom() {
        return from;
    }

    @DataBoundSetter
    public void setFrom(String from) {
        this.from = Util.fixEmptyAndTrim(from);
    }

    /** With {@code from}: a source of a platform the list has takes that entry's place. */
    public boolean isReplace() {
        return replace;
    }

    @DataBoundSetter
    public void setReplace(boolean replace) {
        this.replace = replace;
    }

    /** With {@code from}: platforms dropped from the list, with their attestations. */
    public List<String> getRemove() {
        return Collections.unmodifiableList(remove);
    }

    @DataBoundSetter
    public void setRemove(List<String> remove) {
        this.remove = Lists.copy(remove);
    }

    /** Repositories the published list is copied to as well, digests unchanged, under the same tags. */
    public List<String> getMirrors() {
        return Collections.unmodifiableList(mirrors);
    }

    @DataBoundSetter
    public void setMirrors(List<String> mirrors) {
        this.mirrors = Lists.copy(mirrors);
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
            try {
                publishChecked();
            } catch (MultiarchException e) {
                // the engine's messages name the input and the fix: the message is the whole story, no trace
                throw new AbortException(e.getMessage());
            }
        }

        private void publishChecked() throws Exception {
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
                // amending a list needs no records: the list's own entries are the start
                if (records.isEmpty() && step.from == null) {
                    throw new AbortException(Messages.PushManifestList_NoRecords(
                            target.withoutTagOrDigest().toString()));
                }
            }

            // the mirrors are checked before anything is published: a typo must not leave a half-done release
            List<ImageReference> mirrors = new ArrayList<>();
            for (String m : step.mirrors) {
                CopyTarget.parse("mirrors", m, List.of());
                mirrors.add(ImageReference.parse(m));
            }
            RegistryLogin login = RegistryLogin.resolve(step.credentialsId, run, target.registry());
            // a mirror on another registry gets that registry's own (admin default) credentials, never the target's
            List<CredentialsSource> logins = new ArrayList<>(List.of(RegistryLogin.sourceOf(login)));
            List<String> secrets = new ArrayList<>(RegistryLogin.secretsOf(login));
            Set<String> mirrorRegistries = new LinkedHashSet<>();
            mirrors.forEach(m -> mirrorRegistries.add(m.registry()));
            mirrorRegistries.remove(target.registry());
            for (String registry : mirrorRegistries) {
                RegistryLogin other = RegistryLogin.resolve(null, run, registry);
                logins.add(RegistryLogin.sourceOf(other));
                secrets.addAll(RegistryLogin.secretsOf(other));
            }
            ConsoleLog log = new ConsoleLog(listener, secrets, false);
            // Jenkins' proxy settings apply to registry traffic, over connections shared by every build
            RegistrySettings built = ControllerConnections.settings(
                            config, CredentialsSource.chain(logins.toArray(CredentialsSource[]::new)), log)
                    .build();
            // a mirror outside the admin's allowlist is refused now, before any tag moves at the target
            for (ImageReference m : mirrors) {
                built.requireAllowed(m.registry());
            }
            RegistryClient client = new RegistryClient(built);

            // the engine's one records-to-publish path: required platforms (every recorded one unless given),
            // the publish, then digest naming's temporary tags removed where the registry allows
            PublishRequest.Builder request = PublishRequest.builder()
                    .target(target)
                    .tags(step.tags)
                    .sources(sources)
                    .format(step.format == null ? ListFormat.AUTO : ListFormat.parse(step.format))
                    .annotations(Lists.pairs(step.annotations, "annotations"))
                    .requirePlatforms(parsePlatforms(step.platforms))
                    .optionalPlatforms(optional)
                    .from(step.from == null ? null : PublishRequest.parseFrom(step.from))
                    .replace(step.replace)
                    .removePlatforms(parsePlatforms(step.remove))
                    .dryRun(step.dryRun);
            if (step.from != null) {
                listener.getLogger().println(Messages.PushManifestList_Amending(step.from));
            }
            listener.getLogger()
                    .println(Messages.PushManifestList_Publishing(target.toString(), sources.size() + records.size()));
            RecordsPublished published = new PublishFromRecords(client, log).publishRecords(records, request);
            PublishResult result = published.result();
            listener.getLogger().println(log.mask(Reports.publishTable(result)));
            MultiarchAction.recordPublish(run, result, published.temporaryTagsLeft());

            if (!result.missingOptionalPlatforms().isEmpty()) {
                String message =
                        Messages.PushManifestList_OptionalMissing(Wording.list(result.missingOptionalPlatforms()));
                ctx.get(FlowNode.class).addOrReplaceAction(new WarningAction(Result.UNSTABLE).withMessage(message));
                run.setResult(Result.UNSTABLE);
                listener.getLogger().println("WARNING: " + message);
            }
            Map<String, Object> answer = toMap(result);
            if (!mirrors.isEmpty() && !result.dryRun()) {
                List<String> tags = result.tags().stream()
                        .map(PublishResult.TagOutcome::tag)
                        .toList();
                CopyResult copies = new Copier(client, log)
                        .copy(CopyRequest.afterPublish(target, result.listDigest(), tags, mirrors));
                listener.getLogger().println(log.mask(CopyReport.text(copies)));
                if (!copies.success()) {
                    throw CopyManifestListStep.failure(copies, log);
                }
                answer.put("mirrors", CopyManifestListStep.toMap(copies).get("destinations"));
            }
            ctx.onSuccess(answer);
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
        r.amended().ifPresent(a -> {
            // per kind, the platforms: kept, added, replaced, removed
            for (Change.Kind kind : Change.Kind.values()) {
                List<String> changed = new ArrayList<>();
                a.of(kind).forEach(c -> changed.add(c.platform().toString()));
                m.put(kind.name().toLowerCase(Locale.ROOT), changed);
            }
        });
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
            s.setFrom(formData.optString("from"));
            s.setReplace(formData.optBoolean("replace"));
            s.setRemove(Lists.lines(formData.optString("remove")));
            s.setMirrors(Lists.lines(formData.optString("mirrors")));
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

        /** Syntax only (the engine's rule for a list to amend: a tag or a digest); empty: a new list. */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckFrom(@QueryParameter String value) {
            return Util.fixEmptyAndTrim(value) == null
                    ? FormValidation.ok()
                    : Validation.of(() -> PublishRequest.parseFrom(value));
        }

        /** Syntax only: each platform parses, none twice. */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckRemove(@QueryParameter String value) {
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
