package io.jenkins.plugins.multiarch.jenkins;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.Util;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import io.jenkins.plugins.multiarch.InvalidInputException;
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

    /** @throws InvalidInputException for a platform that does not parse, or a missing or malformed label */
    @DataBoundConstructor
    public PlatformLabel(String platform, String label) {
        this.platform = Util.fixEmptyAndTrim(platform);
        this.label = Util.fixEmptyAndTrim(label);
        if (this.platform == null) {
            throw new InvalidInputException(
                    "Platforms and agent labels: an entry has no platform: give one, e.g. " + "linux/arm64");
        }
        try {
            Platform.parse(this.platform);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("Platforms and agent labels: " + e.getMessage(), e);
        }
        if (this.label == null) {
            throw new InvalidInputException("Platforms and agent labels: " + this.platform
                    + " has no native agent label: " + Messages.PlatformLabel_LabelRequired());
        }
        Validation.requireLabelSyntax("Native agent label of " + this.platform, this.label);
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

    /** @throws InvalidInputException for a malformed label expression */
    @DataBoundSetter
    public void setEmulationLabel(String emulationLabel) {
        String v = Util.fixEmptyAndTrim(emulationLabel);
        if (v != null) {
            Validation.requireLabelSyntax("Emulation agent label of " + platform, v);
        }
        this.emulationLabel = v;
    }

    /** Whether this entry is for {@code wanted} (containerd rules: {@code linux/arm64} matches {@code linux/arm64/v8}). */
    boolean isFor(Platform wanted) {
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
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckPlatform(@QueryParameter String value) {
            return Validation.platform(value, true);
        }

        /** Without an emulation label (callers in this package; not a web method: Stapler binds public ones only). */
        FormValidation doCheckLabel(String value) {
            return doCheckLabel(value, null);
        }

        /** An unknown native label is an error, or a warning naming the fallback when an emulation label is set. */
        @POST
        public FormValidation doCheckLabel(@QueryParameter String value, @QueryParameter String emulationLabel) {
            if (!Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
                return FormValidation.ok();
            }
            if (Util.fixEmptyAndTrim(value) == null) {
                return FormValidation.error(Messages.PlatformLabel_LabelRequired());
            }
            return Validation.label(value, emulationLabel);
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
