package io.jenkins.plugins.multiarch.registry;

import java.net.URI;
import java.util.Set;

/**
 * Makes URLs safe to log or put in messages: user info is dropped and query values are masked except the
 * few the registry API defines (digest, mount, from, service, scope, n, last). Presigned blob URLs carry
 * their signature in the query, so it never survives.
 */
final class Redact {

    private static final Set<String> SAFE_PARAMS = Set.of("digest", "mount", "from", "service", "scope", "n", "last");

    private Redact() {}

    static String url(URI uri) {
        StringBuilder out = new StringBuilder();
        if (uri.getScheme() != null) {
            out.append(uri.getScheme()).append("://");
        }
        if (uri.getHost() != null) {
            out.append(uri.getHost());
            if (uri.getPort() != -1) {
                out.append(':').append(uri.getPort());
            }
        }
        if (uri.getRawPath() != null) {
            out.append(uri.getRawPath());
        }
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            out.append('?');
            String[] params = query.split("&");
            for (int i = 0; i < params.length; i++) {
                if (i > 0) {
                    out.append('&');
                }
                int eq = params[i].indexOf('=');
                String name = eq < 0 ? params[i] : params[i].substring(0, eq);
                out.append(name);
                if (eq >= 0) {
                    out.append('=').append(SAFE_PARAMS.contains(name) ? params[i].substring(eq + 1) : "***");
                }
            }
        }
        return out.toString();
    }

    /** A string that may have been built from a URI; used for Location headers that fail to parse. */
    static String text(String maybeUrl) {
        int q = maybeUrl.indexOf('?');
        String head = q >= 0 ? maybeUrl.substring(0, q) + "?***" : maybeUrl;
        int at = head.indexOf('@');
        int scheme = head.indexOf("://");
        if (at >= 0 && scheme >= 0 && at > scheme) {
            head = head.substring(0, scheme + 3) + "***@" + head.substring(at + 1);
        }
        return head.length() > 300 ? head.substring(0, 300) + "..." : head;
    }
}
