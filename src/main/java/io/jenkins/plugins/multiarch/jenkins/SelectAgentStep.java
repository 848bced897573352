package io.jenkins.plugins.multiarch.jenkins;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.AbortException;
import hudson.Extension;
import hudson.model.TaskListener;
import io.jenkins.plugins.multiarch.image.Platform;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jenkinsci.plugins.workflow.steps.GeneralNonBlockingStepExecution;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;

/**
 * {@code multiArchSelectAgent platform: 'linux/arm64'}: the label {@code multiArchBuild} allocates for a
 * platform, from the admin's platform map. When an emulation label is configured and no native agent is
 * online, waits up to the configured time for one, then answers the emulation label and
 * {@code emulated: true}. Used by the bundled Groovy of {@code multiArchBuild}; advanced in the
 * Snippet Generator. Stateless: after a controller restart it simply asks again.
 */
public final class SelectAgentStep extends Step implements java.io.Serializable {

    private static final long serialVersionUID = 1L;
    private static final long POLL_MILLIS = 2000;

    private final String platform;

    @DataBoundConstructor
    public SelectAgentStep(String platform) {
        this.platform = platform;
    }

    public String getPlatform() {
        return platform;
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
            TaskListener listener = getContext().get(TaskListener.class);
            MultiarchConfiguration config = MultiarchConfiguration.get();
            Platform wanted = Platform.parse(step.platform);
            Optional<PlatformLabel> entry = config.entryFor(wanted);
            if (entry.isEmpty() || entry.get().getLabel() == null) {
                throw new AbortException(Messages.SelectAgent_NoEntry(wanted.toString()));
            }
            String nativeLabel = entry.get().getLabel();
            String emulationLabel = entry.get().getEmulationLabel();
            boolean emulated = false;
            if (emulationLabel != null && !Validation.anyOnline(nativeLabel)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.getNativeAgentTimeout());
                listener.getLogger()
                        .println(Messages.SelectAgent_Waiting(
                                nativeLabel, wanted.toString(), config.getNativeAgentTimeout()));
                while (!Validation.anyOnline(nativeLabel) && System.nanoTime() < deadline) {
                    Thread.sleep(POLL_MILLIS);
                }
                emulated = !Validation.anyOnline(nativeLabel);
                if (emulated) {
                    listener.getLogger().println(Messages.SelectAgent_Emulating(wanted.toString(), emulationLabel));
                }
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("platform", wanted.toString());
            answer.put("label", emulated ? emulationLabel : nativeLabel);
            answer.put("emulated", emulated);
            getContext().onSuccess(answer);
        }
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
    }
}
