package io.jenkins.plugins.multiarch.registry;

import java.net.URI;
import java.util.Locale;

/** One registry as the client reaches it: {@code host[:port]} and the scheme (https unless named insecure). */
record Endpoint(String registry, String scheme) {

    /** The URI of a path under {@code /v2/}; the path is already URL-safe (names, tags and digests are). */
    URI api(String path) {
        return URI.create(scheme + "://" + registry + "/v2/" + path);
    }

    boolean isHttps() {
        return "https".equals(scheme);
    }

    /** Same scheme, host and port as the registry: only there do credentials and tokens go. */
    boolean sameOrigin(URI uri) {
        return sameOrigin(api(""), uri);
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null
                && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null
                && b.getHost() != null
                && a.getHost().toLowerCase(Locale.ROOT).equals(b.getHost().toLowerCase(Locale.ROOT))
                && port(a) == port(b);
    }

    static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
