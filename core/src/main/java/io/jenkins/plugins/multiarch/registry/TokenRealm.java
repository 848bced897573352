package io.jenkins.plugins.multiarch.registry;

import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Checks the token service a registry points us to before any credentials go there: http or https only,
 * no user info in the URL, and never plain http when the registry itself is reached over https.
 */
final class TokenRealm {

    private TokenRealm() {
    }

    static URI validate(Endpoint endpoint, String realm) {
        String host = endpoint.registry();
        if (realm == null || realm.isBlank()) {
            throw new RegistryAuthenticationException(host + " asked for a Bearer token but named no token service"
                    + " (realm); the registry's authentication is misconfigured", 401);
        }
        URI uri;
        try {
            uri = new URI(realm.strip());
        } catch (URISyntaxException e) {
            throw new RegistryAuthenticationException(host + " named a token service that is not a URL ("
                    + Redact.text(realm) + "); the registry's authentication is misconfigured", 401);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new RegistryAuthenticationException(host + " named a token service " + Redact.url(uri)
                    + " that is not http or https; refusing to send credentials there", 401);
        }
        if (uri.getRawUserInfo() != null || uri.getHost() == null) {
            throw new RegistryAuthenticationException(host + " named a token service " + Redact.url(uri)
                    + " with user info or without a host in its URL; refusing to send credentials there", 401);
        }
        if (endpoint.isHttps() && scheme.equals("http")) {
            throw new RegistryAuthenticationException(host + " is reached over https but named a plain-http token"
                    + " service " + Redact.url(uri) + "; refusing to send credentials or tokens over http", 401);
        }
        return uri;
    }
}
