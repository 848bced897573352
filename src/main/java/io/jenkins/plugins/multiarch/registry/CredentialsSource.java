package io.jenkins.plugins.multiarch.registry;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the client finds credentials for a registry host ({@code host[:port]} as in
 * {@code ImageReference.registry()}, {@code registry-1.docker.io} for Docker Hub). Looked up only when a
 * registry asks for authentication, and only for that registry's own host.
 */
@FunctionalInterface
public interface CredentialsSource {

    Optional<RegistryCredentials> lookup(String registryHost);

    /** Anonymous access everywhere. */
    static CredentialsSource none() {
        return host -> Optional.empty();
    }

    /** These credentials for this one host (written any way docker login accepts it), none elsewhere. */
    static CredentialsSource of(String registryHost, RegistryCredentials credentials) {
        String wanted = RegistryHosts.normalize(registryHost);
        Objects.requireNonNull(credentials, "credentials");
        return host -> RegistryHosts.normalize(host).equals(wanted) ? Optional.of(credentials) : Optional.empty();
    }

    /** The first source that has credentials for the host wins. */
    static CredentialsSource chain(CredentialsSource... sources) {
        List<CredentialsSource> list = List.of(sources);
        return host -> {
            for (CredentialsSource source : list) {
                Optional<RegistryCredentials> found = source.lookup(host);
                if (found.isPresent()) {
                    return found;
                }
            }
            return Optional.empty();
        };
    }
}
