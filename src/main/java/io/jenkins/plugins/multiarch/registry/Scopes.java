package io.jenkins.plugins.multiarch.registry;

import java.util.Arrays;
import java.util.Set;

/** Token scopes as the Docker token spec writes them: {@code repository:NAME:ACTIONS}. */
final class Scopes {

    private Scopes() {}

    static String pull(String repository) {
        return "repository:" + repository + ":pull";
    }

    static String pullPush(String repository) {
        return "repository:" + repository + ":pull,push";
    }

    /** A mount needs push on the target and pull on the source: two scopes, one token. */
    static Set<String> mount(String target, String source) {
        if (target.equals(source)) {
            return Set.of(pullPush(target));
        }
        return Set.of(pullPush(target), pull(source));
    }

    /**
     * Whether a token granted {@code granted} also grants every scope in {@code wanted}: for each wanted
     * {@code type:name:actions}, some granted scope names the same resource with all those actions (or {@code *}).
     * Scopes that are not {@code type:name:actions} only match themselves.
     */
    static boolean covers(Set<String> granted, Set<String> wanted) {
        for (String w : wanted) {
            if (granted.contains(w)) {
                continue;
            }
            int wLast = w.lastIndexOf(':');
            if (w.indexOf(':') < 0 || wLast <= w.indexOf(':')) {
                return false;
            }
            String resource = w.substring(0, wLast);
            Set<String> wantedActions = actions(w.substring(wLast + 1));
            boolean found = false;
            for (String g : granted) {
                int gLast = g.lastIndexOf(':');
                if (gLast > 0 && g.substring(0, gLast).equals(resource)) {
                    Set<String> grantedActions = actions(g.substring(gLast + 1));
                    if (grantedActions.contains("*") || grantedActions.containsAll(wantedActions)) {
                        found = true;
                        break;
                    }
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> actions(String list) {
        return Set.copyOf(Arrays.stream(list.split(","))
                .map(String::strip)
                .filter(a -> !a.isEmpty())
                .distinct()
                .toList());
    }
}
