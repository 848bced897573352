package io.jenkins.plugins.multiarch.jenkins;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.Util;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.image.Platform;
import java.util.Objects;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * One entry of the admin's platform map: which agents build a platform natively ({@code label}) and,
 * optionally, which agents may build it under emulation when no native agent comes online in time.
 */
public final class PlatformLabel implements Describable<PlatformLabel> {

    private final String platform;
    private final String label;
    private String emulationLabel;

    @DataBoundConstructor
    public PlatformLabel(String platform, String label) {
        this.platform = Util.fixEmptyAndTrim(platform);
        this.label = Util.fixEmptyAndTrim(label);
    }

    /** As typed by the admin, e.g. {@code linux/arm64}. */
    public String getPlatform() {
        return platform;
    }

    /** A label expression, e.g. {@code arm64 && docker}. */
    public String getLabel() {
        return label;
    }

    public @CheckForNull String getEmulationLabel() {
        return emulationLabel;
    }

    @DataBoundSetter
    public void setEmulationLabel(String emulationLabel) {
        this.emulationLabel = Util.fixEmptyAndTrim(emulationLabel);
    }

    /** Whether this entry is for {@code wanted} (containerd rules: {@code linux/arm64} matches {@code linux/arm64/v8}). */
    boolean isFor(Platform wanted) {
        if (platform == null) {
            return false;
        }
        try {
            return Platform.parse(platform).matches(wanted);
        } catch (MultiarchException e) {
            return false;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PlatformLabel other
                && Objects.equals(platform, other.platform)
                && Objects.equals(label, other.label)
                && Objects.equals(emulationLabel, other.emulationLabel);
    }

    @Override
    public int hashCode() {
        return Objects.hash(platform, label, emulationLabel);
    }

    @Override
    public String toString() {
        return "PlatformLabel[" + platform + " -> " + label
                + (emulationLabel == null ? "" : ", emulated on " + emulationLabel) + "]";
    }

    @Extension
    @Symbol("platformLabel")
    public static final class DescriptorImpl extends Descriptor<PlatformLabel> {

        @NonNull
        @Override
        public String getDisplayName() {
            return Messages.PlatformLabel_DisplayName();
        }

        /** Syntax only: touches no node, credential or network, but stays POST for uniformity. */
        @POST
        public FormValidation doCheckPlatform(@QueryParameter String value) {
            return Validation.platform(value, true);
        }

        @POST
        public FormValidation doCheckLabel(@QueryParameter String value) {
            if (!Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
                return FormValidation.ok();
            }
            if (Util.fixEmptyAndTrim(value) == null) {
                return FormValidation.error(Messages.PlatformLabel_LabelRequired());
            }
            return Validation.label(value);
        }

        @POST
        public FormValidation doCheckEmulationLabel(@QueryParameter String value) {
            if (!Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
                return FormValidation.ok();
            }
            if (Util.fixEmptyAndTrim(value) == null) {
                return FormValidation.ok();
            }
            return Validation.label(value);
        }
    }
}
