package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.registry.RegistryClient;

/**
 * Keeps a registry's credentials off plain HTTP when another program makes the requests. The Docker Engine
 * treats 127.0.0.0/8 and its own {@code insecure-registries} as insecure: for those it tries HTTPS, then falls
 * back to plain HTTP and sends the credentials there. So before the credentials of a registry that the user did
 * not name insecure are handed to the engine, this asks the registry one question over verified TLS, with the
 * engine's client settings (trust, CA file, proxy): a registry that does not answer over TLS is refused, and
 * nothing is built or pushed. A registry named insecure is not asked (the user accepted plain HTTP for it).
 */
final class PlainHttpGuard {

    private final RegistryClient client;

    PlainHttpGuard(RegistryClient client) {
        this.client = client;
    }

    /**
     * Returns when the credentials for {@code target}'s registry may be given to {@code engine}: the registry is
     * named insecure, or it answered over TLS (any HTTP status: TLS is what is proven).
     *
     * @param target the first reference to be pushed (its manifest is asked for, read-only)
     * @throws RegistryAuthenticationException when the registry did not answer over TLS, or refused the credentials
     */
    void requireTls(ImageReference target, String engine) {
        String registry = target.registry();
        if (client.settings().isInsecure(registry)) {
            return;
        }
        try {
            client.headManifest(target);
        } catch (RegistryAuthenticationException e) {
            // over TLS, but the credentials were refused, or would go somewhere unsafe (a plain-http token realm)
            throw e;
        } catch (RegistryException e) {
            if (e.statusCode() > 0) {
                return; // an HTTP answer came back over TLS
            }
            throw new RegistryAuthenticationException("the credentials for " + registry + " were not given to "
                    + engine + ": " + registry + " did not answer over TLS (" + e.getMessage() + "). The Docker "
                    + "Engine falls back to plain HTTP for the registries it treats as insecure (127.0.0.0/8 and "
                    + "its insecure-registries) and would send the credentials in clear. If " + registry + " is a "
                    + "plain-HTTP registry you trust, name it as an insecure registry (--insecure-registry " + registry
                    + ", or the plugin's insecure registries); otherwise serve it over TLS with a certificate this "
                    + "machine trusts (--ca-file for a private CA). Nothing was built or pushed.");
        }
    }
}
