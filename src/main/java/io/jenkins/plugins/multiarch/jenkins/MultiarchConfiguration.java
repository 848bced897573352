package io.jenkins.plugins.multiarch.jenkins;

import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.BulkChange;
import hudson.Extension;
import hudson.ExtensionList;
import hudson.Util;
import hudson.security.ACL;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.multiarch.image.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import jenkins.model.GlobalConfiguration;
import jenkins.model.Jenkins;
import net.sf.json.JSONObject;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.StaplerRequest2;
import org.kohsuke.stapler.verb.POST;

/**
 * What CI admins set once (Manage Jenkins, or JCasC {@code unclassified: multiarch:}): which agents build
 * which platform, the default builder, naming and registry credentials, registries reached over plain
 * HTTP, and how long {@code multiArchBuild} waits for a native agent before it falls back to emulation.
 */
@Extension
@Symbol("multiarch")
public class MultiarchConfiguration extends GlobalConfiguration {

    static final String DOCKER = "docker";
    static final String BUILDAH = "buildah";
    static final int DEFAULT_NATIVE_AGENT_TIMEOUT = 300;

    private List<PlatformLabel> platforms = new ArrayList<>();
    private String defaultBuilder = DOCKER;
    private String defaultNaming = "digest";
    private String credentialsId;
    private String insecureRegistries;
    private int nativeAgentTimeout = DEFAULT_NATIVE_AGENT_TIMEOUT;

    public MultiarchConfiguration() {
        load();
    }

    public static MultiarchConfiguration get() {
        return ExtensionList.lookupSingleton(MultiarchConfiguration.class);
    }

    public List<PlatformLabel> getPlatforms() {
        return Collections.unmodifiableList(platforms);
    }

    @DataBoundSetter
    public void setPlatforms(List<PlatformLabel> platforms) {
        this.platforms = platforms == null ? new ArrayList<>() : new ArrayList<>(platforms);
        save();
    }

    public String getDefaultBuilder() {
        return defaultBuilder;
    }

    @DataBoundSetter
    public void setDefaultBuilder(String defaultBuilder) {
        String v = Util.fixEmptyAndTrim(defaultBuilder);
        this.defaultBuilder = v == null ? DOCKER : v;
        save();
    }

    public String getDefaultNaming() {
        return defaultNaming;
    }

    @DataBoundSetter
    public void setDefaultNaming(String defaultNaming) {
        String v = Util.fixEmptyAndTrim(defaultNaming);
        this.defaultNaming = v == null ? "digest" : v;
        save();
    }

    /** Username/password credentials used when a step names none. */
    public @CheckForNull String getCredentialsId() {
        return credentialsId;
    }

    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = Util.fixEmptyAndTrim(credentialsId);
        save();
    }

    /** {@code host[:port]} entries, separated by commas or white space, reached over plain HTTP. */
    public @CheckForNull String getInsecureRegistries() {
        return insecureRegistries;
    }

    @DataBoundSetter
    public void setInsecureRegistries(String insecureRegistries) {
        this.insecureRegistries = Util.fixEmptyAndTrim(insecureRegistries);
        save();
    }

    /** Seconds {@code multiArchBuild} waits for a native agent before using the emulation label. */
    public int getNativeAgentTimeout() {
        return nativeAgentTimeout;
    }

    @DataBoundSetter
    public void setNativeAgentTimeout(int nativeAgentTimeout) {
        this.nativeAgentTimeout = Math.max(0, nativeAgentTimeout);
        save();
    }

    List<String> insecureRegistryList() {
        return Lists.words(insecureRegistries);
    }

    /** The admin's entry for a platform, if any. */
    Optional<PlatformLabel> entryFor(Platform platform) {
        return platforms.stream().filter(p -> p.isFor(platform)).findFirst();
    }

    @Override
    public boolean configure(StaplerRequest2 req, JSONObject json) throws FormException {
        // bindJSON calls no setter for an absent list: a form with every platform removed must clear it.
        try (BulkChange bc = new BulkChange(this)) {
            platforms = new ArrayList<>();
            req.bindJSON(this, json);
            bc.commit();
        } catch (IOException e) {
            throw new FormException(e, "platforms");
        }
        return true;
    }

    public ListBoxModel doFillDefaultBuilderItems() {
        return builderItems(false);
    }

    public ListBoxModel doFillDefaultNamingItems() {
        return namingItems(false);
    }

    static ListBoxModel builderItems(boolean withDefault) {
        ListBoxModel m = new ListBoxModel();
        if (withDefault) {
            m.add(Messages.Options_Default(), "");
        }
        m.add(Messages.Options_BuilderDocker(), DOCKER);
        m.add(Messages.Options_BuilderBuildah(), BUILDAH);
        return m;
    }

    static ListBoxModel namingItems(boolean withDefault) {
        ListBoxModel m = new ListBoxModel();
        if (withDefault) {
            m.add(Messages.Options_Default(), "");
        }
        m.add(Messages.Options_NamingDigest(), "digest");
        m.add(Messages.Options_NamingRepoSuffix(), "repo-suffix");
        m.add(Messages.Options_NamingTagSuffix(), "tag-suffix");
        return m;
    }

    /** Global credentials, listed as SYSTEM in the context of Jenkins itself (consumer.adoc, "Manage Jenkins" case). */
    @POST
    public ListBoxModel doFillCredentialsIdItems(@QueryParameter String credentialsId) {
        StandardListBoxModel result = new StandardListBoxModel();
        if (!Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
            return result.includeCurrentValue(credentialsId);
        }
        return result.includeEmptyValue()
                .includeMatchingAs(
                        ACL.SYSTEM2,
                        Jenkins.get(),
                        StandardUsernamePasswordCredentials.class,
                        Collections.emptyList(),
                        CredentialsMatchers.always())
                .includeCurrentValue(credentialsId);
    }

    @POST
    public FormValidation doCheckCredentialsId(@QueryParameter String value) {
        if (!Jenkins.get().hasPermission(Jenkins.ADMINISTER) || Util.fixEmptyAndTrim(value) == null) {
            return FormValidation.ok();
        }
        if (CredentialsProvider.listCredentialsInItemGroup(
                        StandardUsernamePasswordCredentials.class,
                        Jenkins.get(),
                        ACL.SYSTEM2,
                        Collections.emptyList(),
                        CredentialsMatchers.withId(value))
                .isEmpty()) {
            return FormValidation.error(Messages.Validation_CredentialsNotFound());
        }
        return FormValidation.ok();
    }

    @POST
    public FormValidation doCheckInsecureRegistries(@QueryParameter String value) {
        return Validation.insecureRegistries(value);
    }

    @POST
    public FormValidation doCheckNativeAgentTimeout(@QueryParameter String value) {
        try {
            if (Util.fixEmptyAndTrim(value) != null && Integer.parseInt(value.trim()) < 0) {
                return FormValidation.error(Messages.Validation_NotNegative());
            }
            return FormValidation.ok();
        } catch (NumberFormatException e) {
            return FormValidation.error(Messages.Validation_NotNegative());
        }
    }

    @NonNull
    @Override
    public String getDisplayName() {
        return Messages.MultiarchConfiguration_DisplayName();
    }
}
