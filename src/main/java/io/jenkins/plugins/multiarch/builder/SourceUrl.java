package io.jenkins.plugins.multiarch.builder;

import java.util.Locale;

/**
 * The {@code org.opencontainers.image.source} label from a repository URL such as Jenkins' {@code GIT_URL}:
 * without the user info ({@code https://user:token@host/...}), query string or fragment, where tokens travel. The
 * label is written into the image config, which anyone who can pull the image reads.
 */
public final class SourceUrl {

    private SourceUrl() {}

    /**
     * {@code https://host[:port]/path} for a URL with a scheme, {@code host:path} for git's scp-like form
     * ({@code git@github.com:org/repo.git}), a local path as it is; null for a blank value, or one with nothing
     * left to show.
     */
    public static String forLabel(String url) {
        if (url == null || url.isBlank()) {
            return null;
        }
        String u = cutAt(url.strip(), '#');
        u = cutAt(u, '?');
        int scheme = u.indexOf("://");
        String prefix;
        String rest;
        if (scheme > 0 && u.substring(0, scheme).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
            prefix = u.substring(0, scheme).toLowerCase(Locale.ROOT) + "://";
            rest = u.substring(scheme + 3);
        } else {
            prefix = "";
            rest = u;
        }
        // the user info ends at the last '@' before the first '/' (a password may itself contain '@'); the same
        // rule serves git's scp-like form, [user@]host:path
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = authority.substring(at + 1);
        }
        if (authority.isEmpty() && path.isEmpty()) {
            return null;
        }
        return prefix + authority + path;
    }

    private static String cutAt(String s, char c) {
        int i = s.indexOf(c);
        return i < 0 ? s : s.substring(0, i);
    }
}
