package io.jenkins.plugins.multiarch.jenkins;

import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.Util;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import java.util.Objects;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * One default login of the admin's list: the username/password credentials used for one registry when a step
 * names none. Bound to that registry's host: a Jenkinsfile naming another registry (Docker Hub, say) never
 * gets them.
 */
public final class RegistryCredential implements Describable<RegistryCredential> {

    private final String registry;
    private final String credentialsId;

    /** @throws InvalidInputException when {@code registry} is not {@code host[:port]} or no credentials are given */
    @DataBoundConstructor
    public RegistryCredential(String registry, String credentialsId) {
        try {
            this.registry = ImageReference.parseRegistryHost(registry);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("Registry credentials: " + e.getMessage(), e);
        }
        this.credentialsId = Util.fixEmptyAndTrim(credentialsId);
        if (this.credentialsId == null) {
            throw new InvalidInputException(
                    "Registry credentials for " + this.registry + ": choose the credentials to use for it");
        }
    }

    /** {@code host[:port]} as image references name it (lower case, Docker Hub as registry-1.docker.io). */
    public String getRegistry() {
        return registry;
    }

    public String getCredentialsId() {
        return credentialsId;
    }

    boolean isFor(String imageRegistry) {
        return registry.equalsIgnoreCase(imageRegistry);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegistryCredential other
                && registry.equals(other.registry)
                && credentialsId.equals(other.credentialsId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(registry, credentialsId);
    }

    @Override
    public String toString() {
        return "RegistryCredential[" + registry + " -> " + credentialsId + "]";
    }

    @Extension
    @Symbol("registryCredential")
    public static final class DescriptorImpl extends Descriptor<RegistryCredential> {

        @NonNull
        @Override
        public String getDisplayName() {
            return Messages.RegistryCredential_DisplayName();
        }

        /** Syntax only: reads no node, credential or network. */
        @POST
        @SuppressWarnings("lgtm[jenkins/no-permission-check]")
        public FormValidation doCheckRegistry(@QueryParameter String value) {
            return Validation.of(() -> ImageReference.parseRegistryHost(value));
        }

        /** Global credentials that apply to this registry's host (its credential domains), for administrators. */
        @POST
        public ListBoxModel doFillCredentialsIdItems(
                @QueryParameter String registry, @QueryParameter String credentialsId) {
            if (!Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
                return new StandardListBoxModel().includeCurrentValue(credentialsId);
            }
            return RegistryCredentialForms.globalListBox(registry, credentialsId);
        }

        @POST
        public FormValidation doCheckCredentialsId(@QueryParameter String registry, @QueryParameter String value) {
            if (!Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
                return FormValidation.ok();
            }
            return RegistryCredentialForms.globalCheck(registry, value);
        }
    }
}
