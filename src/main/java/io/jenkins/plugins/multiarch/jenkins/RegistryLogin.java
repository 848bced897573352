package io.jenkins.plugins.multiarch.jenkins;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import edu.umd.cs.findbugs.annotations.CheckForNull;
import hudson.AbortException;
import hudson.Util;
import hudson.model.Run;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import java.io.Serializable;
import java.util.List;

/**
 * A registry login resolved from a Jenkins credential, ready to travel to the agent inside a callable (the
 * remoting channel carries it, as credentials-binding carries its files). Never logged: {@link #toString()}
 * hides the password, and {@link #secrets()} feeds the console mask.
 */
final class RegistryLogin implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String registry;
    private final String username;
    private final char[] password;

    private RegistryLogin(String registry, String username, char[] password) {
        this.registry = registry;
        this.username = username;
        this.password = password;
    }

    /**
     * Resolves the step's credentials id, else the admin's default for this registry, with the registry's host
     * as the credential domain requirement: credentials scoped to another host are not found, and a default
     * given for one registry never goes to another. Tracks the use against the run. Null when neither names a
     * credential (anonymous, or Docker's own config.json on the agent for the docker builder).
     */
    static @CheckForNull RegistryLogin resolve(@CheckForNull String stepCredentialsId, Run<?, ?> run, String registry)
            throws AbortException {
        String id = Util.fixEmptyAndTrim(stepCredentialsId);
        if (id == null) {
            id = MultiarchConfiguration.get().credentialsIdFor(registry).orElse(null);
        }
        if (id == null) {
            return null;
        }
        StandardUsernamePasswordCredentials c = CredentialsProvider.findCredentialById(
                id,
                StandardUsernamePasswordCredentials.class,
                run,
                RegistryCredentialForms.requirementsForRegistry(registry));
        if (c == null) {
            throw new AbortException(Messages.RegistryLogin_NotFoundForRegistry(id, registry));
        }
        CredentialsProvider.track(run, c);
        return new RegistryLogin(
                registry, c.getUsername(), c.getPassword().getPlainText().toCharArray());
    }

    CredentialsSource toSource() {
        return CredentialsSource.of(registry, new RegistryCredentials(username, password));
    }

    /** What the console must never show. */
    List<String> secrets() {
        return List.of(new String(password));
    }

    static List<String> secretsOf(@CheckForNull RegistryLogin login) {
        return login == null ? List.of() : login.secrets();
    }

    static CredentialsSource sourceOf(@CheckForNull RegistryLogin login) {
        return login == null ? CredentialsSource.none() : login.toSource();
    }

    @Override
    public String toString() {
        return "RegistryLogin[" + registry + ", " + username + ", ****]";
    }
}
