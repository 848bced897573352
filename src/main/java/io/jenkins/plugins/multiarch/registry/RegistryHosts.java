package io.jenkins.plugins.multiarch.registry;

import java.util.Locale;

/** Normalises the ways people and tools write a registry host, so credentials match however they were keyed. */
final class RegistryHosts {

    static final String DOCKER_HUB = "registry-1.docker.io";

    private RegistryHosts() {}

    /**
     * {@code https://index.docker.io/v1/}, {@code docker.io}, {@code Registry.Example:5000/} and the like
     * become the host[:port] form {@code ImageReference.registry()} uses.
     */
    static String normalize(String key) {
        String host = key.strip().toLowerCase(Locale.ROOT);
        int scheme = host.indexOf("://");
        if (scheme >= 0) {
            host = host.substring(scheme + 3);
        }
        int slash = host.indexOf('/');
        if (slash >= 0) {
            host = host.substring(0, slash);
        }
        switch (host) {
            case "docker.io":
            case "index.docker.io":
            case "registry.hub.docker.com":
            case "registry-1.docker.io":
                return DOCKER_HUB;
            default:
                return host;
        }
    }
}
