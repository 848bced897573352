package io.jenkins.plugins.multiarch.registry;

import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * Checks the token service a registry points us to before any credentials go there: http or https only,
 * no user info in the URL, never plain http when the registry itself is reached over https, and plain http
 * only to a host the user named as an insecure registry (the registry's own host is one).
 */
final class TokenRealm {

    private TokenRealm() {}

    /**
     * @param insecureRegistries the registries ({@code host[:port]}) the user named as plain HTTP: a plain-http
     *        token service is accepted only on one of their hosts
     */
    static URI validate(Endpoint endpoint, String realm, Set<String> insecureRegistries) {
        String host = endpoint.registry();
        if (realm == null || realm.isBlank()) {
            throw new RegistryAuthenticationException(
                    host + " asked for a Bearer token but named no token service"
                            + " (realm); the registry's authentication is misconfigured",
                    401);
        }
        URI uri;
        try {
            uri = new URI(realm.strip());
        } catch (URISyntaxException e) {
            throw new RegistryAuthenticationException(
                    host + " named a token service that is not a URL (" + Redact.text(realm)
                            + "); the registry's authentication is misconfigured",
                    401);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new RegistryAuthenticationException(
                    host + " named a token service " + Redact.url(uri)
                            + " that is not http or https; refusing to send credentials there",
                    401);
        }
        if (uri.getRawUserInfo() != null || uri.getHost() == null) {
            throw new RegistryAuthenticationException(
                    host + " named a token service " + Redact.url(uri)
                            + " with user info or without a host in its URL; refusing to send credentials there",
                    401);
        }
        if (endpoint.isHttps() && scheme.equals("http")) {
            throw new RegistryAuthenticationException(
                    host + " is reached over https but named a plain-http token" + " service " + Redact.url(uri)
                            + "; refusing to send credentials or tokens over http",
                    401);
        }
        if (scheme.equals("http") && !namedInsecure(uri.getHost(), insecureRegistries)) {
            throw new RegistryAuthenticationException(
                    host + " named a plain-http token service on another host, "
                            + Redact.url(uri)
                            + "; credentials go over plain http only to hosts named as insecure registries."
                            + " Name " + uri.getRawAuthority()
                            + " as an insecure registry too if you trust that network",
                    401);
        }
        return uri;
    }

    /** Whether {@code host} is the host of a registry the user named insecure (any port: same machine, same trust). */
    private static boolean namedInsecure(String host, Set<String> insecureRegistries) {
        String wanted = host.toLowerCase(Locale.ROOT);
        for (String registry : insecureRegistries) {
            try {
                String named = new URI("http://" + registry).getHost();
                if (named != null && named.toLowerCase(Locale.ROOT).equals(wanted)) {
                    return true;
                }
            } catch (URISyntaxException ignored) {
                // not a host[:port]: names nothing
            }
        }
        return false;
    }
}
