package io.jenkins.plugins.multiarch.jenkins;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.BulkChange;
import hudson.Extension;
import hudson.ExtensionList;
import hudson.Util;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.builder.BuildCache;
import io.jenkins.plugins.multiarch.builder.BuilderKind;
import io.jenkins.plugins.multiarch.flow.EmulationPolicy;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
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
 * which platform, the default builder and naming, per-registry default credentials, registries reached over
 * plain HTTP, the registries the controller may contact, and how long {@code multiArchBuild} waits for a
 * native agent before it falls back to emulation.
 *
 * <p>Every setter checks its value with the engine's rule before it takes it (the form, JCasC and the steps
 * share those rules), so an invalid configuration is refused when it is saved, naming the field, instead of
 * failing builds later. Readers on other threads (a {@code multiArchSelectAgent} during a save) always see a
 * complete value: each field is replaced in one assignment.
 */
@Extension
@Symbol("multiarch")
public class MultiarchConfiguration extends GlobalConfiguration {

    private static final Logger LOGGER = Logger.getLogger(MultiarchConfiguration.class.getName());
    static final int DEFAULT_NATIVE_AGENT_TIMEOUT = 300;

    private volatile List<PlatformLabel> platforms = new ArrayList<>();
    private volatile String defaultBuilder = BuilderKind.DOCKER.id();
    private volatile String defaultNaming = Naming.DIGEST.cliName();
    private volatile List<RegistryCredential> registryCredentials = new ArrayList<>();
    private volatile String insecureRegistries;
    private volatile String allowedRegistries;
    private volatile int nativeAgentTimeout = DEFAULT_NATIVE_AGENT_TIMEOUT;
    private volatile String emulation = EmulationPolicy.DEFAULT.value();
    /** The build cache repository of steps that name none (BuildCache); null: no cache. */
    private volatile String defaultCache;

    /**
     * The single default credential of earlier versions, used for whatever registry a Jenkinsfile named. Read
     * from old configurations only to say it is no longer used; never resolved.
     */
    @Deprecated
    private String credentialsId;

    public MultiarchConfiguration() {
        load();
        if (credentialsId != null) {
            LOGGER.log(
                    Level.WARNING,
                    "multiarch: the default credentials {0} were used for every registry and are no longer used: "
                            + "add them under Manage Jenkins > System > Multi-architecture images > Registry "
                            + "credentials for the registry they belong to",
                    credentialsId);
        }
    }

    public static MultiarchConfiguration get() {
        return ExtensionList.lookupSingleton(MultiarchConfiguration.class);
    }

    public List<PlatformLabel> getPlatforms() {
        return Collections.unmodifiableList(platforms);
    }

    /** @throws InvalidInputException when a platform is mapped twice */
    @DataBoundSetter
    public void setPlatforms(List<PlatformLabel> platforms) {
        List<PlatformLabel> copy = platforms == null ? List.of() : List.copyOf(platforms);
        try {
            Platform.parseDistinct(copy.stream().map(PlatformLabel::getPlatform).toList());
        } catch (InvalidInputException e) {
            throw new InvalidInputException("Platforms and agent labels: " + e.getMessage(), e);
        }
        this.platforms = new ArrayList<>(copy); // never changed after this: readers see it whole
        save();
    }

    public String getDefaultBuilder() {
        return defaultBuilder;
    }

    /** @throws InvalidInputException for a name that is not docker or buildah */
    @DataBoundSetter
    public void setDefaultBuilder(String defaultBuilder) {
        String v = Util.fixEmptyAndTrim(defaultBuilder);
        this.defaultBuilder = v == null
                ? BuilderKind.DOCKER.id()
                : field("Default builder", () -> BuilderKind.parse(v)).id();
        save();
    }

    public String getDefaultNaming() {
        return defaultNaming;
    }

    /** @throws InvalidInputException for a naming that is not digest, repo-suffix or tag-suffix */
    @DataBoundSetter
    public void setDefaultNaming(String defaultNaming) {
        String v = Util.fixEmptyAndTrim(defaultNaming);
        this.defaultNaming = v == null
                ? Naming.DIGEST.cliName()
                : field("Default naming", () -> Naming.parse(v)).cliName();
        save();
    }

    /** Per registry, the username/password credentials used when a step names none. */
    public List<RegistryCredential> getRegistryCredentials() {
        return Collections.unmodifiableList(registryCredentials);
    }

    /** @throws InvalidInputException when a registry is given twice */
    @DataBoundSetter
    public void setRegistryCredentials(List<RegistryCredential> registryCredentials) {
        List<RegistryCredential> copy = registryCredentials == null ? List.of() : List.copyOf(registryCredentials);
        List<String> seen = new ArrayList<>();
        for (RegistryCredential c : copy) {
            if (seen.contains(c.getRegistry())) {
                throw new InvalidInputException(
                        "Registry credentials: " + c.getRegistry() + " is given twice: keep one entry per registry");
            }
            seen.add(c.getRegistry());
        }
        this.registryCredentials = new ArrayList<>(copy);
        save();
    }

    /** {@code host[:port]} entries, separated by commas or white space, reached over plain HTTP. */
    public @CheckForNull String getInsecureRegistries() {
        return insecureRegistries;
    }

    /** @throws InvalidInputException for an entry that is not {@code host[:port]} */
    @DataBoundSetter
    public void setInsecureRegistries(String insecureRegistries) {
        this.insecureRegistries = registries("Registries reached over plain HTTP", insecureRegistries);
        save();
    }

    /**
     * {@code host[:port]} entries: the only registries {@code pushManifestList} may contact from the controller.
     * Empty: any registry.
     */
    public @CheckForNull String getAllowedRegistries() {
        return allowedRegistries;
    }

    /** @throws InvalidInputException for an entry that is not {@code host[:port]} */
    @DataBoundSetter
    public void setAllowedRegistries(String allowedRegistries) {
        this.allowedRegistries = registries("Registries the controller may contact", allowedRegistries);
        save();
    }

    /** Seconds {@code multiArchBuild} waits for a native agent before using the emulation label. */
    public int getNativeAgentTimeout() {
        return nativeAgentTimeout;
    }

    /** @throws InvalidInputException for a negative number */
    @DataBoundSetter
    public void setNativeAgentTimeout(int nativeAgentTimeout) {
        if (nativeAgentTimeout < 0) {
            throw new InvalidInputException("Seconds to wait for a native agent: " + nativeAgentTimeout
                    + " is negative: give 0 (do not wait) or more");
        }
        this.nativeAgentTimeout = nativeAgentTimeout;
        save();
    }

    /** {@code never}, {@code fallback} or {@code always}: may a platform be built under emulation, and when. */
    public String getEmulation() {
        return emulation;
    }

    /** @throws InvalidInputException for a value that is not never, fallback or always */
    @DataBoundSetter
    public void setEmulation(String emulation) {
        String v = Util.fixEmptyAndTrim(emulation);
        this.emulation = v == null
                ? EmulationPolicy.DEFAULT.value()
                : field("Emulation", () -> EmulationPolicy.parse(v)).value();
        save();
    }

    /** The per-platform build cache repository for steps that name none; null: none. */
    public @CheckForNull String getDefaultCache() {
        return defaultCache;
    }

    /** @throws InvalidInputException for a value that is not a repository without tag or digest */
    @DataBoundSetter
    public void setDefaultCache(String defaultCache) {
        String v = Util.fixEmptyAndTrim(defaultCache);
        this.defaultCache = v == null
                ? null
                : field("Default build cache", () -> BuildCache.parse(v)).toString();
        save();
    }

    List<String> insecureRegistryList() {
        return Lists.words(insecureRegistries);
    }

    List<String> allowedRegistryList() {
        return Lists.words(allowedRegistries);
    }

    /** The admin's entry for a platform, if any. */
    Optional<PlatformLabel> entryFor(Platform platform) {
        return platforms.stream().filter(p -> p.isFor(platform)).findFirst();
    }

    /** The default credentials id for a registry ({@link ImageReference#registry()}), if the admin gave one. */
    Optional<String> credentialsIdFor(String registry) {
        return registryCredentials.stream()
                .filter(c -> c.isFor(registry))
                .map(RegistryCredential::getCredentialsId)
                .findFirst();
    }

    /**
     * The form: every value is checked by its setter; the first invalid one is shown to the admin as the
     * form's error, and what was configured before stays in force (nothing is saved). Lists are bound first
     * and swapped in whole, so a concurrent reader never sees an emptied platform map.
     */
    @Override
    public synchronized boolean configure(StaplerRequest2 req, JSONObject json) throws FormException {
        Snapshot before = snapshot();
        try (BulkChange bc = new BulkChange(this)) {
            JSONObject rest = JSONObject.fromObject(json);
            // bindJSON calls no setter for an absent list: a form with every entry removed must clear it
            List<PlatformLabel> newPlatforms = req.bindJSONToList(PlatformLabel.class, rest.remove("platforms"));
            List<RegistryCredential> newCredentials =
                    req.bindJSONToList(RegistryCredential.class, rest.remove("registryCredentials"));
            req.bindJSON(this, rest);
            setPlatforms(newPlatforms);
            setRegistryCredentials(newCredentials);
            bc.commit();
        } catch (InvalidInputException e) {
            restore(before);
            throw new FormException(e.getMessage(), e, "multiarch");
        } catch (IllegalArgumentException e) {
            // Stapler's own conversion errors ("Failed to convert the ... parameter"), ours as their cause
            restore(before);
            Throwable cause = e.getCause() instanceof InvalidInputException ours ? ours : e;
            throw new FormException(cause.getMessage(), e, "multiarch");
        } catch (IOException e) {
            restore(before);
            throw new FormException(e, "multiarch");
        }
        return true;
    }

    /** The fields a form sets, to undo a refused form (nothing of it is saved, and nothing stays in force). */
    private record Snapshot(
            List<PlatformLabel> platforms,
            String defaultBuilder,
            String defaultNaming,
            List<RegistryCredential> registryCredentials,
            String insecureRegistries,
            String allowedRegistries,
            int nativeAgentTimeout,
            String emulation,
            String defaultCache) {}

    private Snapshot snapshot() {
        return new Snapshot(
                platforms,
                defaultBuilder,
                defaultNaming,
                registryCredentials,
                insecureRegistries,
                allowedRegistries,
                nativeAgentTimeout,
                emulation,
                defaultCache);
    }

    private void restore(Snapshot s) {
        platforms = s.platforms();
        defaultBuilder = s.defaultBuilder();
        defaultNaming = s.defaultNaming();
        registryCredentials = s.registryCredentials();
        insecureRegistries = s.insecureRegistries();
        allowedRegistries = s.allowedRegistries();
        nativeAgentTimeout = s.nativeAgentTimeout();
        emulation = s.emulation();
        defaultCache = s.defaultCache();
    }

    private static String registries(String field, String value) {
        String v = Util.fixEmptyAndTrim(value);
        if (v != null) {
            field(field, () -> {
                Lists.words(v).forEach(ImageReference::parseRegistryHost);
                return v;
            });
        }
        return v;
    }

    /** Runs an engine rule for a field; its refusal names the field as the form labels it. */
    private static <T> T field(String label, java.util.function.Supplier<T> rule) {
        try {
            return rule.get();
        } catch (InvalidInputException e) {
            throw new InvalidInputException(label + ": " + e.getMessage(), e);
        }
    }

    @POST
    public ListBoxModel doFillDefaultBuilderItems() {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        return builderItems(false);
    }

    @POST
    public ListBoxModel doFillDefaultNamingItems() {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        return namingItems(false);
    }

    static ListBoxModel builderItems(boolean withDefault) {
        ListBoxModel m = new ListBoxModel();
        if (withDefault) {
            m.add(Messages.Options_Default(), "");
        }
        m.add(Messages.Options_BuilderDocker(), BuilderKind.DOCKER.id());
        m.add(Messages.Options_BuilderBuildah(), BuilderKind.BUILDAH.id());
        return m;
    }

    static ListBoxModel namingItems(boolean withDefault) {
        ListBoxModel m = new ListBoxModel();
        if (withDefault) {
            m.add(Messages.Options_Default(), "");
        }
        m.add(Messages.Options_NamingDigest(), Naming.DIGEST.cliName());
        m.add(Messages.Options_NamingRepoSuffix(), Naming.REPO_SUFFIX.cliName());
        m.add(Messages.Options_NamingTagSuffix(), Naming.TAG_SUFFIX.cliName());
        return m;
    }

    @POST
    public ListBoxModel doFillEmulationItems() {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        ListBoxModel m = new ListBoxModel();
        m.add(Messages.Options_EmulationFallback(), EmulationPolicy.FALLBACK.value());
        m.add(Messages.Options_EmulationNever(), EmulationPolicy.NEVER.value());
        m.add(Messages.Options_EmulationAlways(), EmulationPolicy.ALWAYS.value());
        return m;
    }

    /** Syntax only: reads no node, credential or network. */
    @POST
    @SuppressWarnings("lgtm[jenkins/no-permission-check]")
    public FormValidation doCheckInsecureRegistries(@QueryParameter String value) {
        return Validation.registries(value);
    }

    /** Syntax only: reads no node, credential or network. */
    @POST
    @SuppressWarnings("lgtm[jenkins/no-permission-check]")
    public FormValidation doCheckAllowedRegistries(@QueryParameter String value) {
        return Validation.registries(value);
    }

    /** Syntax only (the engine's cache rule, shared with the step and the CLI's --cache): empty means none. */
    @POST
    @SuppressWarnings("lgtm[jenkins/no-permission-check]")
    public FormValidation doCheckDefaultCache(@QueryParameter String value) {
        return Validation.of(() -> BuildCache.parseOptional(value));
    }

    /** Syntax only: reads no node, credential or network. */
    @POST
    @SuppressWarnings("lgtm[jenkins/no-permission-check]")
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
