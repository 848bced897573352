package io.jenkins.plugins.multiarch.jenkins;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.AbortException;
import hudson.Extension;
import hudson.Util;
import hudson.model.TaskListener;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.flow.AgentChoice;
import io.jenkins.plugins.multiarch.flow.DispatchDecision;
import io.jenkins.plugins.multiarch.flow.DispatchFacts;
import io.jenkins.plugins.multiarch.flow.EmulationPolicy;
import io.jenkins.plugins.multiarch.image.Platform;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jenkinsci.plugins.workflow.steps.GeneralNonBlockingStepExecution;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.verb.POST;

/**
 * {@code multiArchSelectAgent platform: 'linux/arm64'[, emulation: 'never'|'fallback'|'always']}: the label
 * {@code multiArchBuild} allocates for a platform, from the admin's platform map. The decision is the engine's
 * ({@link AgentChoice}); this step only tells it what Jenkins offers each label ({@link AgentAvailability}:
 * online nodes, clouds, offline nodes) and applies the answer. A label a cloud can provision is answered at
 * once: {@code node(label)} then waits in the queue while the cloud provisions, as for any Jenkins task.
 * Answers {@code [platform:, label:, emulated:, emulation:]}. Stateless: after a controller restart it asks again.
 */
public final class SelectAgentStep extends Step implements java.io.Serializable {

    private static final long serialVersionUID = 1L;
    private static final Duration POLL = Duration.ofSeconds(2);

    private final String platform;
    private String emulation;

    @DataBoundConstructor
    public SelectAgentStep(String platform) {
        this.platform = platform;
    }

    public String getPlatform() {
        return platform;
    }

    /** {@code never}, {@code fallback} or {@code always}; null: the global setting. */
    public @CheckForNull String getEmulation() {
        return emulation;
    }

    @DataBoundSetter
    public void setEmulation(String emulation) {
        this.emulation = Util.fixEmptyAndTrim(emulation);
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(this, context);
    }

    static final class Execution extends GeneralNonBlockingStepExecution {

        private static final long serialVersionUID = 1L;

        private final SelectAgentStep step;

        Execution(SelectAgentStep step, StepContext context) {
            super(context);
            this.step = step;
        }

        @Override
        public boolean start() {
            run(this::select);
            return false;
        }

        @Override
        public void onResume() {
            run(this::select);
        }

        private void select() throws Exception {
            PrintStream log = getContext().get(TaskListener.class).getLogger();
            MultiarchConfiguration config = MultiarchConfiguration.get();
            Platform wanted;
            EmulationPolicy policy;
            try {
                wanted = Platform.parse(step.platform);
                policy = EmulationPolicy.resolve(step.emulation, config.getEmulation());
            } catch (MultiarchException e) {
                throw new AbortException(e.getMessage()); // bad input: the message says it all, no stack trace
            }
            Duration nativeWait = Duration.ofSeconds(config.getNativeAgentTimeout());
            DispatchFacts[] last = new DispatchFacts[1]; // what the latest decision was made on, for its messages
            DispatchDecision decision = AgentChoice.decideWaiting(
                    () -> last[0] = facts(wanted, policy, nativeWait),
                    POLL,
                    AgentChoice.Waiting.REAL,
                    waiting -> log.println(Messages.SelectAgent_WaitingForNative(
                            wanted.toString(), waiting.label(), nativeWait.toSeconds(), last[0].emulationLabel())));
            if (decision.refused()) {
                throw new AbortException(refusal(decision, last[0]));
            }
            log.println(announcement(decision, wanted.toString(), nativeWait));
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("platform", wanted.toString());
            answer.put("label", decision.label());
            answer.put("emulated", decision.emulated());
            answer.put("emulation", policy.value());
            getContext().onSuccess(answer);
        }
    }

    /** The facts now: read the admin's map again on every look, since it may be saved while a platform waits. */
    static DispatchFacts facts(Platform wanted, EmulationPolicy policy, Duration nativeWait) {
        Optional<PlatformLabel> entry = MultiarchConfiguration.get().entryFor(wanted);
        String nativeLabel = entry.map(PlatformLabel::getLabel).orElse(null);
        String emulationLabel = entry.map(PlatformLabel::getEmulationLabel).orElse(null);
        return new DispatchFacts(
                wanted.toString(),
                nativeLabel,
                AgentAvailability.of(nativeLabel),
                emulationLabel,
                AgentAvailability.of(emulationLabel),
                policy,
                nativeWait);
    }

    /** The log line for a label that is used. */
    static String announcement(DispatchDecision d, String platform, Duration nativeWait) {
        return switch (d.reason()) {
            case NATIVE_ONLINE -> Messages.SelectAgent_NativeOnline(platform, d.label());
            case NATIVE_FROM_CLOUD -> Messages.SelectAgent_NativeFromCloud(platform, d.label());
            case NATIVE_QUEUED_EMULATION_NEVER -> Messages.SelectAgent_QueuedEmulationNever(platform, d.label());
            case NATIVE_QUEUED_NO_EMULATION_LABEL -> Messages.SelectAgent_QueuedNoEmulationLabel(platform, d.label());
            case EMULATION_ALWAYS -> Messages.SelectAgent_EmulatingAlways(platform, d.label());
            case EMULATION_AFTER_WAIT ->
                Messages.SelectAgent_EmulatingAfterWait(platform, nativeWait.toSeconds(), d.label());
            case EMULATION_WITHOUT_WAIT -> Messages.SelectAgent_EmulatingWithoutWait(platform, d.label());
            default -> throw new IllegalStateException("not a decision to use a label: " + d);
        };
    }

    /** The error for a refusal: names the platform, the label and what to configure. */
    static String refusal(DispatchDecision d, DispatchFacts f) {
        return switch (d.reason()) {
            case NO_PLATFORM_ENTRY -> Messages.SelectAgent_NoEntry(f.platform());
            case NATIVE_UNSERVED_EMULATION_NEVER ->
                Messages.SelectAgent_RefusedEmulationNever(f.platform(), f.nativeLabel());
            case NATIVE_UNSERVED_NO_EMULATION_LABEL ->
                Messages.SelectAgent_RefusedNoEmulationLabel(f.platform(), f.nativeLabel());
            case ALWAYS_WITHOUT_EMULATION_LABEL ->
                Messages.SelectAgent_RefusedAlwaysWithoutEmulationLabel(f.platform());
            case EMULATION_LABEL_UNSERVED ->
                Messages.SelectAgent_RefusedEmulationLabelUnserved(f.platform(), f.emulationLabel());
            default -> throw new IllegalStateException("not a refusal: " + d);
        };
    }

    @Extension
    public static final class DescriptorImpl extends StepDescriptor {

        @Override
        public String getFunctionName() {
            return "multiArchSelectAgent";
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return Messages.SelectAgent_DisplayName();
        }

        @Override
        public boolean isAdvanced() {
            return true;
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(TaskListener.class);
        }

        /** Syntax only (fixed choices): touches no node, credential or network. */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public ListBoxModel doFillEmulationItems() {
            ListBoxModel m = new ListBoxModel();
            m.add(Messages.Options_Default(), "");
            m.add(Messages.Options_EmulationFallback(), EmulationPolicy.FALLBACK.value());
            m.add(Messages.Options_EmulationNever(), EmulationPolicy.NEVER.value());
            m.add(Messages.Options_EmulationAlways(), EmulationPolicy.ALWAYS.value());
            return m;
        }
    }
}
