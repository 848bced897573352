package io.jenkins.plugins.multiarch.jenkins;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.AbortException;
import hudson.Extension;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.FormValidation;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.copy.Copier;
import io.jenkins.plugins.multiarch.copy.CopyReport;
import io.jenkins.plugins.multiarch.copy.CopyRequest;
import io.jenkins.plugins.multiarch.copy.CopyResult;
import io.jenkins.plugins.multiarch.copy.CopyTarget;
import io.jenkins.plugins.multiarch.copy.DestinationResult;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Tags;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
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
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.steps.GeneralNonBlockingStepExecution;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.StaplerRequest2;
import org.kohsuke.stapler.verb.POST;

/**
 * {@code copyManifestList source: 'staging.example/onap/py-app:1.0', targets: ['prod.example/onap/py-app']}: on the
 * controller (no {@code node}), copies a verified list with everything it refers to, digests unchanged, with the
 * engine's {@link Copier}, through Jenkins' proxy-aware HTTP client. Credentials per registry: {@code
 * credentialsIds: ['prod.example=prod-push']}, else the admin's default for that registry, else anonymous. Fails
 * (after every destination was tried) when one did not get the list; returns the digest and each destination's
 * outcome.
 */
public final class CopyManifestListStep extends Step implements Serializable {

    /** Kept by the execution across a controller restart. */
    private static final long serialVersionUID = 1L;

    private final String source;
    private final List<String> targets;
    private List<String> tags = new ArrayList<>();
    private List<String> credentialsIds = new ArrayList<>();

    @DataBoundConstructor
    public CopyManifestListStep(String source, List<String> targets) {
        this.source = Util.fixEmptyAndTrim(source);
        this.targets = Lists.copy(targets);
    }

    public String getSource() {
        return source;
    }

    /** {@code REGISTRY/REPO[:TAG]}, one or more. */
    public List<String> getTargets() {
        return Collections.unmodifiableList(targets);
    }

    /** Tags for every target, besides a target's own; none: a target without a tag gets the source's tag. */
    public List<String> getTags() {
        return Collections.unmodifiableList(tags);
    }

    @DataBoundSetter
    public void setTags(List<String> tags) {
        this.tags = Lists.copy(tags);
    }

    /** {@code REGISTRY=CREDENTIALS_ID} entries: which credentials each registry (source or target) gets. */
    public List<String> getCredentialsIds() {
        return Collections.unmodifiableList(credentialsIds);
    }

    @DataBoundSetter
    public void setCredentialsIds(List<String> credentialsIds) {
        this.credentialsIds = Lists.copy(credentialsIds);
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        return new Execution(this, context);
    }

    /**
     * Copies off the CPS VM thread. A controller restart in the middle runs the copy again on resume: the copy is
     * idempotent (blobs a destination has are not sent again, manifests go by digest, a destination whose tags all
     * hold the digest is left alone), so running it twice is safe. The step's values are kept for that.
     */
    static final class Execution extends GeneralNonBlockingStepExecution {

        private static final long serialVersionUID = 1L;

        private final CopyManifestListStep step;

        Execution(CopyManifestListStep step, StepContext context) {
            super(context);
            this.step = step;
        }

        @Override
        public boolean start() throws Exception {
            run(this::copy);
            return false;
        }

        @Override
        public void onResume() {
            run(this::copyAgain);
        }

        private void copyAgain() throws Exception {
            getContext().get(TaskListener.class).getLogger().println(Messages.CopyManifestList_Resumed(step.source));
            copy();
        }

        private void copy() throws Exception {
            try {
                copyChecked();
            } catch (MultiarchException e) {
                // the engine's messages name the input and the fix: the message is the whole story, no trace
                throw new AbortException(e.getMessage());
            }
        }

        private void copyChecked() throws Exception {
            StepContext ctx = getContext();
            Run<?, ?> run = ctx.get(Run.class);
            TaskListener listener = ctx.get(TaskListener.class);
            MultiarchConfiguration config = MultiarchConfiguration.get();
            if (step.source == null) {
                throw new AbortException(Messages.CopyManifestList_SourceRequired());
            }
            if (step.targets.isEmpty()) {
                throw new AbortException(Messages.CopyManifestList_TargetsRequired());
            }
            ImageReference from = ImageReference.parse(step.source);
            List<CopyTarget> targets = new ArrayList<>();
            for (String target : step.targets) {
                targets.add(CopyTarget.parse("target", target, step.tags));
            }
            CopyRequest request = CopyRequest.of(from, targets);

            // one login per registry involved, each with its own credential domain: none goes to another host
            Map<String, String> ids = credentialsByRegistry(step.credentialsIds);
            Set<String> registries = new LinkedHashSet<>();
            registries.add(from.registry());
            targets.forEach(t -> registries.add(t.repository().registry()));
            for (String named : ids.keySet()) {
                if (!registries.contains(named)) {
                    throw new AbortException(Messages.CopyManifestList_CredentialsForUnusedRegistry(
                            named, String.join(", ", registries)));
                }
            }
            List<CredentialsSource> sources = new ArrayList<>();
            List<String> secrets = new ArrayList<>();
            for (String registry : registries) {
                RegistryLogin login = RegistryLogin.resolve(ids.get(registry), run, registry);
                sources.add(RegistryLogin.sourceOf(login));
                secrets.addAll(RegistryLogin.secretsOf(login));
            }
            ConsoleLog log = new ConsoleLog(listener, secrets, false);
            // Jenkins' proxy settings apply to registry traffic, over connections shared by every build
            RegistryClient client = new RegistryClient(ControllerConnections.settings(
                            config, CredentialsSource.chain(sources.toArray(CredentialsSource[]::new)), log)
                    .build());

            listener.getLogger().println(Messages.CopyManifestList_Copying(from.toString(), targets.size()));
            CopyResult result = new Copier(client, log).copy(request);
            listener.getLogger().println(log.mask(CopyReport.text(result)));
            if (!result.success()) {
                throw failure(result, log);
            }
            ctx.onSuccess(toMap(result));
        }
    }

    /** The step's error when a destination did not get the list (the report above it says why, per destination). */
    static AbortException failure(CopyResult result, ConsoleLog log) {
        List<String> failed = new ArrayList<>();
        result.destinations().stream()
                .filter(DestinationResult::failed)
                .forEach(d -> failed.add(d.repository().repositoryString()));
        int given = result.destinations().size();
        return new AbortException(log.mask(
                failed.size() == given
                        ? Messages.CopyManifestList_FailedAll(given)
                        : Messages.CopyManifestList_Failed(String.join(", ", failed), given)));
    }

    /** {@code REGISTRY=ID} entries, each registry written as the engine normalises it, none twice. */
    static Map<String, String> credentialsByRegistry(List<String> entries) {
        Map<String, String> byRegistry = new LinkedHashMap<>();
        for (Map.Entry<String, String> e :
                Lists.pairs(entries, "credentialsIds").entrySet()) {
            String registry = ImageReference.parseRegistryHost(e.getKey().trim());
            if (byRegistry.put(registry, e.getValue().trim()) != null) {
                throw new io.jenkins.plugins.multiarch.InvalidInputException(
                        Messages.CopyManifestList_CredentialsTwice(registry));
            }
        }
        return byRegistry;
    }

    static Map<String, Object> toMap(CopyResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("digest", r.digest().toString());
        m.put("mediaType", r.mediaType().value());
        List<Map<String, Object>> destinations = new ArrayList<>();
        for (DestinationResult d : r.destinations()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("repository", d.repository().repositoryString());
            one.put("reference", r.at(d).toString());
            one.put("outcome", d.outcome().name().toLowerCase(Locale.ROOT));
            one.put("tagsWritten", new ArrayList<>(d.tagsWritten()));
            one.put("tagsUnchanged", new ArrayList<>(d.tagsUnchanged()));
            one.put("blobsCopied", d.blobsCopied());
            one.put("blobsMounted", d.blobsMounted());
            one.put("blobsPresent", d.blobsSkipped());
            one.put("bytesCopied", d.bytesCopied());
            destinations.add(one);
        }
        m.put("destinations", destinations);
        return m;
    }

    @Extension
    public static final class DescriptorImpl extends StepDescriptor {

        @Override
        public String getFunctionName() {
            return "copyManifestList";
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return Messages.CopyManifestList_DisplayName();
        }

        /** No FilePath, Launcher or node: the copy runs on the controller. */
        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class, FlowNode.class);
        }

        @Override
        public Step newInstance(StaplerRequest2 req, @NonNull JSONObject formData) throws FormException {
            CopyManifestListStep s =
                    new CopyManifestListStep(formData.optString("source"), Lists.lines(formData.optString("targets")));
            s.setTags(Lists.lines(formData.optString("tags")));
            s.setCredentialsIds(Lists.lines(formData.optString("credentialsIds")));
            return s;
        }

        public String joinLines(List<String> values) {
            return Lists.join(values);
        }

        /** Syntax only (the engine's reference grammar): reads no node, credential or network. */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckSource(@QueryParameter String value) {
            return Validation.image(value);
        }

        /** Syntax only: each target a repository with an optional tag, no digest. */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckTargets(@QueryParameter String value) {
            List<String> lines = Lists.lines(value);
            if (lines.isEmpty()) {
                return FormValidation.error(Messages.CopyManifestList_TargetsRequired());
            }
            return Validation.of(() -> lines.forEach(t -> CopyTarget.parse("target", t, List.of())));
        }

        /** Syntax only: valid tags, none twice; empty is allowed (the source's tag). */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckTags(@QueryParameter String value) {
            List<String> lines = Lists.lines(value);
            return lines.isEmpty() ? FormValidation.ok() : Validation.of(() -> Tags.parse(lines));
        }

        /** Syntax only: REGISTRY=ID lines; reads no credential (ids are resolved when the step runs). */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckCredentialsIds(@QueryParameter String value) {
            return Validation.of(() -> credentialsByRegistry(Lists.lines(value)));
        }
    }
}
