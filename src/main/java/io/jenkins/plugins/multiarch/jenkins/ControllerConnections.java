package io.jenkins.plugins.multiarch.jenkins;

import hudson.ProxyConfiguration;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import jenkins.model.Jenkins;

/**
 * Registry traffic from the controller: through Jenkins' HTTP proxy settings (Manage Jenkins > System > HTTP Proxy),
 * and over connections every step on the controller shares, so that many builds publishing at once stay within
 * the engine's per-registry connection limits instead of opening a pool each. Connections carry no credentials;
 * tokens stay per client.
 */
final class ControllerConnections {

    private ControllerConnections() {}

    /**
     * The settings of a registry client on the controller: {@link #apply}, the credentials, the console, the
     * plugin's user agent, and the admin's insecure registries and allowlist (checked by the client before any
     * request leaves the controller).
     */
    static RegistrySettings.Builder settings(
            MultiarchConfiguration config, CredentialsSource credentials, LogListener log) {
        RegistrySettings.Builder settings = apply(RegistrySettings.builder())
                .credentials(credentials)
                .listener(log)
                .userAgent(Versions.userAgent());
        config.insecureRegistryList().forEach(settings::insecureRegistry);
        config.allowedRegistryList().forEach(settings::allowedRegistry);
        return settings;
    }

    /** {@code settings} with the proxy-aware JDK client builder and the key under which its connections are shared. */
    static RegistrySettings.Builder apply(RegistrySettings.Builder settings) {
        return settings.httpClientBuilder(ProxyConfiguration::newHttpClientBuilder)
                .sharedConnections(key(Jenkins.get().proxy));
    }

    /**
     * Changes whenever {@link ProxyConfiguration#newHttpClientBuilder()} would build another client: a saved proxy
     * form is a new {@code ProxyConfiguration} instance (with a new authenticator), hence its identity beside its
     * fields. The password is never part of it.
     */
    static String key(ProxyConfiguration proxy) {
        if (proxy == null) {
            return "jenkins-controller:no-proxy";
        }
        return "jenkins-controller:proxy@" + Integer.toHexString(System.identityHashCode(proxy)) + ":" + proxy.getName()
                + ":" + proxy.getPort() + ":" + proxy.getNoProxyHost() + ":" + proxy.getUserName();
    }
}
