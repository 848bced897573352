package io.jenkins.plugins.multiarch.jenkins;

import com.cloudbees.plugins.credentials.CredentialsMatcher;
import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import com.cloudbees.plugins.credentials.domains.DomainRequirement;
import com.cloudbees.plugins.credentials.domains.URIRequirementBuilder;
import edu.umd.cs.findbugs.annotations.CheckForNull;
import hudson.Util;
import hudson.model.Item;
import hudson.model.Queue;
import hudson.model.queue.Tasks;
import hudson.security.ACL;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import java.net.URI;
import java.util.List;
import jenkins.model.Jenkins;
import org.springframework.security.core.Authentication;

/**
 * Registry credentials in forms and at build time, always with the registry's host as the credential domain
 * requirement (credentials-plugin docs/consumer.adoc; docker-commons' DockerRegistryEndpoint does the same):
 * the drop-down, the check and the resolution see the same credentials, and credentials an admin scoped to
 * another host are never offered or used for this one.
 */
final class RegistryCredentialForms {

    /**
     * What a build can resolve: listing in Jenkins' own context (Manage Jenkins, or no item) also returns
     * System-scoped credentials, which builds never get (SystemCredentialsProvider), so they are left out.
     */
    private static final CredentialsMatcher USABLE_BY_BUILDS =
            CredentialsMatchers.not(CredentialsMatchers.withScope(CredentialsScope.SYSTEM));

    private RegistryCredentialForms() {}

    /** The requirements for a registry written {@code host[:port]}; none when it is not one (yet). */
    static List<DomainRequirement> requirementsForRegistry(@CheckForNull String registry) {
        if (Util.fixEmptyAndTrim(registry) == null) {
            return List.of();
        }
        try {
            URI u = URI.create("https://" + ImageReference.parseRegistryHost(registry));
            return URIRequirementBuilder.create()
                    .withHostnamePort(u.getHost(), u.getPort())
                    .build();
        } catch (MultiarchException | IllegalArgumentException e) {
            return List.of();
        }
    }

    /** The requirements for the registry of an image reference as a step's {@code image} field holds it. */
    static List<DomainRequirement> requirementsForImage(@CheckForNull String image) {
        if (Util.fixEmptyAndTrim(image) == null) {
            return List.of();
        }
        try {
            return requirementsForRegistry(ImageReference.parse(image.trim()).registry());
        } catch (MultiarchException e) {
            return List.of();
        }
    }

    /** The admin's global list (Manage Jenkins): system credentials for this registry. */
    static ListBoxModel globalListBox(@CheckForNull String registry, @CheckForNull String current) {
        return new StandardListBoxModel()
                .includeEmptyValue()
                .includeMatchingAs(
                        ACL.SYSTEM2,
                        Jenkins.get(),
                        StandardUsernamePasswordCredentials.class,
                        requirementsForRegistry(registry),
                        USABLE_BY_BUILDS)
                .includeCurrentValue(current == null ? "" : current);
    }

    static FormValidation globalCheck(@CheckForNull String registry, @CheckForNull String value) {
        if (Util.fixEmptyAndTrim(value) == null) {
            return FormValidation.error(Messages.Validation_CredentialsRequired());
        }
        return CredentialsProvider.listCredentialsInItemGroup(
                                StandardUsernamePasswordCredentials.class,
                                Jenkins.get(),
                                ACL.SYSTEM2,
                                requirementsForRegistry(registry),
                                CredentialsMatchers.allOf(CredentialsMatchers.withId(value), USABLE_BY_BUILDS))
                        .isEmpty()
                ? FormValidation.error(Messages.Validation_CredentialsNotFoundForRegistry(registry))
                : FormValidation.ok();
    }

    /** A step's drop-down: what the job may use for the image's registry. */
    static ListBoxModel itemListBox(@CheckForNull Item item, @CheckForNull String image, @CheckForNull String current) {
        StandardListBoxModel result = new StandardListBoxModel();
        String value = current == null ? "" : current;
        if (!mayList(item)) {
            return result.includeCurrentValue(value);
        }
        return result.includeEmptyValue()
                .includeMatchingAs(
                        authenticationOf(item),
                        item,
                        StandardUsernamePasswordCredentials.class,
                        requirementsForImage(image),
                        USABLE_BY_BUILDS)
                .includeCurrentValue(value);
    }

    static FormValidation itemCheck(@CheckForNull Item item, @CheckForNull String image, @CheckForNull String value) {
        if (!mayList(item)) {
            return FormValidation.ok();
        }
        if (Util.fixEmptyAndTrim(value) == null) {
            return FormValidation.ok(Messages.Validation_CredentialsDefault());
        }
        if (CredentialsProvider.listCredentialsInItem(
                        StandardUsernamePasswordCredentials.class,
                        item,
                        authenticationOf(item),
                        requirementsForImage(image),
                        CredentialsMatchers.allOf(CredentialsMatchers.withId(value), USABLE_BY_BUILDS))
                .isEmpty()) {
            return FormValidation.error(Messages.Validation_CredentialsNotFound());
        }
        return FormValidation.ok();
    }

    private static boolean mayList(@CheckForNull Item item) {
        if (item == null) {
            return Jenkins.get().hasPermission(Jenkins.ADMINISTER);
        }
        return item.hasPermission(Item.EXTENDED_READ) || item.hasPermission(CredentialsProvider.USE_ITEM);
    }

    private static Authentication authenticationOf(@CheckForNull Item item) {
        return item instanceof Queue.Task task ? Tasks.getAuthenticationOf2(task) : ACL.SYSTEM2;
    }
}
